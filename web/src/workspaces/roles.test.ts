// What the UI offers to grant must be what the server allows.
import { describe, expect, it } from 'vitest';
import * as server from '../../../src/workspaces/roles.ts';
import { grantableRoles, keyRoles, mayGrant, ROLES } from './roles.ts';

describe('roles', () => {
  it('decides who may grant what exactly as the server does', () => {
    for (const granter of ROLES) {
      for (const role of ROLES) {
        expect(mayGrant(granter, role, server.permissionsOf(granter)), `${granter} → ${role}`).toBe(server.mayGrant(granter, role));
      }
    }
  });

  it.each([
    ['owner', ['owner', 'admin', 'marketer', 'sales', 'support', 'analyst', 'viewer']],
    ['admin', ['admin', 'marketer', 'sales', 'support', 'analyst', 'viewer']],
    ['marketer', []],
    ['viewer', []],
  ] as const)('a %s may hand out %j', (role, expected) => {
    expect(grantableRoles(role, server.permissionsOf(role))).toEqual(expected);
  });

  it('never offers the owner role for an API key', () => {
    expect(keyRoles('owner', server.permissionsOf('owner'))).not.toContain('owner');
    expect(keyRoles('admin', server.permissionsOf('admin'))).toEqual(['admin', 'marketer', 'sales', 'support', 'analyst', 'viewer']);
    expect(keyRoles(null, [])).toEqual([]);
  });
});
