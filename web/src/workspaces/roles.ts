// Roles and permissions as the server defines them (src/workspaces/roles.ts; roles.test.ts keeps
// the two in step). The UI uses them only to hide what the server would refuse anyway.
export const ROLES = ['owner', 'admin', 'marketer', 'sales', 'support', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'workspace.read',
  'workspace.manage',
  'members.read',
  'members.manage',
  'keys.manage',
  'audit.read',
  'jobs.read',
  'customers.read',
  'customers.write',
  'pii.read',
  'analytics.read',
  'messaging.write',
  'sales.write',
  'service.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const RANK: Record<Role, number> = { owner: 3, admin: 2, marketer: 1, sales: 1, support: 1, analyst: 1, viewer: 0 };

/** May a member with role `granter` (who holds members.manage) give someone `role`? */
export function mayGrant(granter: Role, role: Role, granterPermissions: readonly Permission[]): boolean {
  if (!granterPermissions.includes('members.manage')) return false;
  if (role === 'owner') return granter === 'owner';
  return RANK[granter] >= RANK[role];
}

/** Roles a member may hand to another member. */
export function grantableRoles(granter: Role | null, permissions: readonly Permission[]): Role[] {
  return granter ? ROLES.filter((r) => mayGrant(granter, r, permissions)) : [];
}

/** Roles a secret API key may be given: those its creator may grant, never owner. */
export function keyRoles(creator: Role | null, permissions: readonly Permission[]): Role[] {
  return grantableRoles(creator, permissions).filter((r) => r !== 'owner');
}
