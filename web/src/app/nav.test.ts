import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../../../src/workspaces/roles.ts';
import { ROLES } from '../workspaces/roles.ts';
import { isActivePath, safeNext, visibleMain, visibleMessaging, visibleSettings } from './nav.ts';

describe('visibleSettings', () => {
  const ids = (role: (typeof ROLES)[number]) => visibleSettings(permissionsOf(role), true).map((s) => s.id);

  it.each([
    ['owner', ['general', 'members', 'api-keys', 'audit', 'customer-attributes', 'channels']],
    ['admin', ['general', 'members', 'api-keys', 'audit', 'customer-attributes', 'channels']],
    ['marketer', ['general', 'members', 'channels']],
    ['analyst', ['general', 'members']],
    ['viewer', ['general', 'members']],
  ] as const)('a %s sees %j', (role, expected) => {
    expect(ids(role)).toEqual(expected);
  });

  it('shows no settings without a workspace', () => {
    expect(visibleSettings(permissionsOf('owner'), false)).toEqual([]);
  });
});

describe('visibleMain', () => {
  it.each(ROLES)('a %s sees the customers, segments, events, products, abandoned carts and analytics', (role) => {
    expect(visibleMain(permissionsOf(role), true).map((s) => s.id)).toEqual(['customers', 'segments', 'events', 'products', 'abandoned-carts', 'analytics']);
  });

  it('hides events, products and analytics from a member without analytics.read', () => {
    expect(visibleMain(['customers.read'], true).map((s) => s.id)).toEqual(['customers', 'segments', 'abandoned-carts']);
  });

  it('shows nothing without a workspace', () => {
    expect(visibleMain(permissionsOf('owner'), false)).toEqual([]);
  });
});

describe('visibleMessaging', () => {
  it.each([
    ['owner', ['messages-log', 'messages-campaigns', 'messages-journeys', 'messages-templates', 'messages-sandbox']],
    ['marketer', ['messages-log', 'messages-campaigns', 'messages-journeys', 'messages-templates', 'messages-sandbox']],
    ['analyst', ['messages-log', 'messages-campaigns', 'messages-journeys', 'messages-templates']],
    ['viewer', ['messages-log', 'messages-campaigns', 'messages-journeys', 'messages-templates']],
  ] as const)('a %s sees %j', (role, expected) => {
    expect(visibleMessaging(permissionsOf(role), true).map((s) => s.id)).toEqual(expected);
  });

  it('shows nothing without a workspace', () => {
    expect(visibleMessaging(permissionsOf('owner'), false)).toEqual([]);
  });
});

describe('isActivePath', () => {
  it.each([
    ['/', '/', true],
    ['/settings', '/', false],
    ['/settings/members', '/settings', true],
    ['/settings/members', '/settings/members', true],
    ['/settings/members-old', '/settings/members', false],
  ])('%s under %s: %s', (pathname, link, expected) => {
    expect(isActivePath(pathname, link)).toBe(expected);
  });
});

describe('safeNext', () => {
  it.each([
    ['/settings/members', '/settings/members'],
    ['/settings/audit?x=1', '/settings/audit?x=1'],
    [null, '/'],
    ['', '/'],
    ['https://evil.example', '/'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['/login?next=/x', '/'],
  ])('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
