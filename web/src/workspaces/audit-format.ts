// Turning audit entries into readable lines: the action's name and field-by-field changes.
export const KNOWN_ACTIONS = [
  'workspace.created',
  'workspace.updated',
  'member.added',
  'member.role_changed',
  'member.removed',
  'member.invited',
  'member.invitation_withdrawn',
  'api_key.created',
  'api_key.revoked',
  'customer.create',
  'customer.update',
  'customer.delete',
  'customer.restore',
  'customer.consent',
  'customer.preferences',
  'customer.identity_add',
  'customer.identity_remove',
  'customer.identify',
  'customer.merge',
  'customer.merged_into',
  'customer.merge_undo',
  'customer.duplicate_dismiss',
  'customer.note_delete',
  'customer.erase',
  'customer.import',
  'customer_attribute.create',
  'customer_attribute.update',
  'customer_attribute.archive',
] as const;
export type KnownAction = (typeof KNOWN_ACTIONS)[number];

export function isKnownAction(action: string): action is KnownAction {
  return (KNOWN_ACTIONS as readonly string[]).includes(action);
}

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export function isActorType(type: string): type is ActorType {
  return (ACTOR_TYPES as readonly string[]).includes(type);
}

export type Change = { field: string; from: string; to: string };

/** A stored value as short text: null/undefined → "—", strings as they are, the rest as JSON. */
export function showValue(value: unknown, max = 80): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `{ field: { from, to } }` (as the server stores it) → one change per field, in field order. */
export function describeDiff(diff: unknown): Change[] {
  if (typeof diff !== 'object' || diff === null || Array.isArray(diff)) return [];
  return Object.entries(diff as Record<string, unknown>).map(([field, change]) => {
    const { from, to } = typeof change === 'object' && change !== null ? (change as { from?: unknown; to?: unknown }) : { from: undefined, to: change };
    return { field, from: showValue(from), to: showValue(to) };
  });
}
