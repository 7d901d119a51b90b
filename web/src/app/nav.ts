// The areas of the app and who may see them. Only pages that exist are listed here; each new
// area adds its entry when its page lands.
import type { Permission } from '../workspaces/roles.ts';

/** An area of the main navigation. */
export type MainSection = {
  id: 'customers' | 'segments' | 'events' | 'products' | 'abandoned-carts' | 'analytics';
  path: string;
  label: 'nav.customers' | 'nav.segments' | 'nav.events' | 'nav.products' | 'nav.abandonedCarts' | 'nav.analytics';
  permission: Permission;
};

export const MAIN_SECTIONS: readonly MainSection[] = [
  { id: 'customers', path: '/customers', label: 'nav.customers', permission: 'customers.read' },
  { id: 'segments', path: '/segments', label: 'nav.segments', permission: 'customers.read' },
  { id: 'events', path: '/events', label: 'nav.events', permission: 'analytics.read' },
  { id: 'products', path: '/products', label: 'nav.products', permission: 'analytics.read' },
  { id: 'abandoned-carts', path: '/carts/abandoned', label: 'nav.abandonedCarts', permission: 'customers.read' },
  { id: 'analytics', path: '/analytics', label: 'nav.analytics', permission: 'analytics.read' },
];

/** The pages of the Messages group in the navigation. */
export type MessagingSection = {
  id: 'messages-log' | 'messages-campaigns' | 'messages-journeys' | 'messages-templates' | 'messages-sandbox';
  path: string;
  label: 'messaging.nav.log' | 'campaigns.nav' | 'journeys.nav' | 'messaging.nav.templates' | 'messaging.nav.sandbox';
  permission: Permission;
};

export const MESSAGING_SECTIONS: readonly MessagingSection[] = [
  { id: 'messages-log', path: '/messages', label: 'messaging.nav.log', permission: 'customers.read' },
  // Campaigns are read by whoever reads analytics (their reports); sending them needs messaging.write.
  { id: 'messages-campaigns', path: '/campaigns', label: 'campaigns.nav', permission: 'analytics.read' },
  // Journeys likewise: their reports are read with analytics.read; changing one needs messaging.write.
  { id: 'messages-journeys', path: '/journeys', label: 'journeys.nav', permission: 'analytics.read' },
  { id: 'messages-templates', path: '/messages/templates', label: 'messaging.nav.templates', permission: 'customers.read' },
  // The sandbox is where those who send try their messages out.
  { id: 'messages-sandbox', path: '/messages/sandbox', label: 'messaging.nav.sandbox', permission: 'messaging.write' },
];

/** Messaging pages a member with these permissions may open; none without a workspace. */
export function visibleMessaging(permissions: readonly Permission[], hasWorkspace: boolean): MessagingSection[] {
  if (!hasWorkspace) return [];
  return MESSAGING_SECTIONS.filter((s) => permissions.includes(s.permission));
}

/** Main areas a member with these permissions may open; none without a workspace. */
export function visibleMain(permissions: readonly Permission[], hasWorkspace: boolean): MainSection[] {
  if (!hasWorkspace) return [];
  return MAIN_SECTIONS.filter((s) => permissions.includes(s.permission));
}

export type SettingsSection = {
  id: 'general' | 'members' | 'api-keys' | 'audit' | 'customer-attributes' | 'channels';
  path: string;
  label: 'nav.general' | 'nav.members' | 'nav.apiKeys' | 'nav.audit' | 'nav.customerAttributes' | 'messaging.nav.channels';
  /** Needed to open the page at all (managing may need more; the page hides those controls). */
  permission: Permission;
};

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { id: 'general', path: '/settings/general', label: 'nav.general', permission: 'workspace.read' },
  { id: 'members', path: '/settings/members', label: 'nav.members', permission: 'members.read' },
  { id: 'api-keys', path: '/settings/api-keys', label: 'nav.apiKeys', permission: 'keys.manage' },
  { id: 'audit', path: '/settings/audit', label: 'nav.audit', permission: 'audit.read' },
  // Listed for those who define attributes; anyone who reads customers may still open the page.
  { id: 'customer-attributes', path: '/settings/customer-attributes', label: 'nav.customerAttributes', permission: 'customers.configure' },
  { id: 'channels', path: '/settings/channels', label: 'messaging.nav.channels', permission: 'messaging.write' },
];

/** Settings pages a member with these permissions may open; none without a workspace. */
export function visibleSettings(permissions: readonly Permission[], hasWorkspace: boolean): SettingsSection[] {
  if (!hasWorkspace) return [];
  return SETTINGS_SECTIONS.filter((s) => permissions.includes(s.permission));
}

/** Is `path` the page of this link, or a page below it? */
export function isActivePath(pathname: string, linkPath: string): boolean {
  if (linkPath === '/') return pathname === '/';
  return pathname === linkPath || pathname.startsWith(`${linkPath}/`);
}

/** Where to go after logging in: a path inside the app from ?next=, never another site. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}
