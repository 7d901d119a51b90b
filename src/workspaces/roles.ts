// Roles and what each may do. Every route names the permission it needs; this table is
// the one place that says which roles hold it.
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
  // Areas to come read these; they are granted now so roles mean the same thing everywhere.
  'customers.read',
  'customers.write',
  /** Privacy: erase a customer's personal data for good. */
  'customers.erase',
  /** Download lists of customers (CSV); masked for roles without pii.read. */
  'customers.export',
  /** Define custom attributes and their purposes. */
  'customers.configure',
  'pii.read',
  'analytics.read',
  'messaging.write',
  'sales.write',
  'service.write',
  /** Products, orders, refunds, commerce settings and their imports. */
  'commerce.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const everyone: Permission[] = ['workspace.read', 'members.read', 'customers.read', 'analytics.read'];

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  marketer: [...everyone, 'customers.write', 'customers.export', 'pii.read', 'messaging.write', 'commerce.write'],
  sales: [...everyone, 'customers.write', 'pii.read', 'sales.write', 'commerce.write'],
  support: [...everyone, 'customers.write', 'pii.read', 'service.write'],
  analyst: [...everyone, 'customers.export', 'jobs.read'],
  viewer: everyone,
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return [...GRANTS[role]];
}

/** Roles ordered by reach, so a member can only hand out roles no stronger than their own. */
const RANK: Record<Role, number> = { owner: 3, admin: 2, marketer: 1, sales: 1, support: 1, analyst: 1, viewer: 0 };

export function mayGrant(granter: Role, role: Role): boolean {
  if (role === 'owner') return granter === 'owner';
  return RANK[granter] >= RANK[role] && can(granter, 'members.manage');
}
