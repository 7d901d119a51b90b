import { describe, expect, it } from 'vitest';
import { can, mayGrant, ROLES, type Permission, type Role } from './roles.ts';

describe('roles', () => {
  it.each<[Role, Permission, boolean]>([
    ['owner', 'keys.manage', true],
    ['admin', 'members.manage', true],
    ['marketer', 'keys.manage', false],
    ['marketer', 'messaging.write', true],
    ['sales', 'sales.write', true],
    ['sales', 'messaging.write', false],
    ['support', 'service.write', true],
    ['analyst', 'pii.read', false],
    ['analyst', 'analytics.read', true],
    ['viewer', 'customers.write', false],
    ['viewer', 'pii.read', false],
    ['viewer', 'workspace.read', true],
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(can(role, permission)).toBe(expected);
  });

  it('only owners grant ownership, and nobody grants above their own reach', () => {
    expect(mayGrant('owner', 'owner')).toBe(true);
    expect(mayGrant('admin', 'owner')).toBe(false);
    expect(mayGrant('admin', 'admin')).toBe(true);
    expect(mayGrant('marketer', 'viewer')).toBe(false); // cannot manage members at all
    for (const role of ROLES) expect(mayGrant('owner', role)).toBe(true);
  });
});
