// Roles and permissions come from the server's own module (pure, no Node imports), so the UI
// can never drift from what the server enforces. The UI uses them only to hide what the
// server would refuse anyway.
import { mayGrant as serverMayGrant, ROLES, type Permission, type Role } from '../../../src/workspaces/roles.ts';

export { isRole, PERMISSIONS, ROLES, type Permission, type Role } from '../../../src/workspaces/roles.ts';

/** May a member with role `granter` and these permissions give someone `role`? */
export function mayGrant(granter: Role, role: Role, granterPermissions: readonly Permission[]): boolean {
  return granterPermissions.includes('members.manage') && serverMayGrant(granter, role);
}

/** Roles a member may hand to another member. */
export function grantableRoles(granter: Role | null, permissions: readonly Permission[]): Role[] {
  return granter ? ROLES.filter((r) => mayGrant(granter, r, permissions)) : [];
}

/** Roles a secret API key may be given: those its creator may grant, never owner. */
export function keyRoles(creator: Role | null, permissions: readonly Permission[]): Role[] {
  return grantableRoles(creator, permissions).filter((r) => r !== 'owner');
}
