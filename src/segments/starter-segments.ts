// Starter segments a new workspace can begin with (and the demo workspace has), written in the
// definition language. Each is created once per workspace (by its starter key) and computed in
// the background.
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { getAnalyticsSettings } from '../analytics/settings.ts';
import type { Actor } from '../workspaces/audit.ts';
import type { SegmentDefinition } from './definition.ts';
import { enqueueRecompute } from './jobs.ts';
import { segments } from './schema.ts';
import { createSegment, type Segment } from './segments.ts';

export type StarterKey = 'vip' | 'at-risk-vip' | 'dormant-30d' | 'new-7d' | 'abandoned-cart-24h' | 'birthday-soon' | 'night-ads-consent';

type Starter = { key: StarterKey; name: string; description: string; definition: (ctx: { topGrade: string; ids: Map<StarterKey, string> }) => SegmentDefinition };

export const STARTERS: readonly Starter[] = [
  {
    key: 'vip',
    name: 'VIP',
    description: 'Customers in the top grade',
    definition: ({ topGrade }) => ({ type: 'metric', field: 'grade', op: 'eq', value: topGrade }),
  },
  {
    key: 'at-risk-vip',
    name: 'At-risk VIP',
    description: 'VIP customers flagged at risk of churning',
    definition: ({ ids }) => ({ and: [{ type: 'segment', id: ids.get('vip')! }, { type: 'metric', field: 'churn_risk', op: 'eq', value: true }] }),
  },
  {
    key: 'dormant-30d',
    name: 'Dormant 30 days',
    description: 'Seen before, but not in the last 30 days',
    definition: () => ({
      and: [
        { type: 'metric', field: 'last_seen_at', op: 'exists' },
        { not: { type: 'metric', field: 'last_seen_at', op: 'within_last_days', value: 30 } },
      ],
    }),
  },
  {
    key: 'new-7d',
    name: 'New in the last 7 days',
    description: 'Profiles created in the last 7 days',
    definition: () => ({ type: 'attribute', field: 'created_at', op: 'within_last_days', value: 7 }),
  },
  {
    key: 'abandoned-cart-24h',
    name: 'Abandoned cart in 24 h',
    description: 'Left a cart in the last 24 hours and has not bought or removed it since',
    // The event alone would keep a customer who has since bought or removed every line (and a
    // recovery message would reach a buyer): the abandoned lines must still be in the cart.
    definition: () => ({ and: [{ type: 'event', name: 'Cart Abandoned', within: { hours: 24 } }, { type: 'metric', field: 'abandoned_cart', op: 'eq', value: true }] }),
  },
  {
    // The language has no calendar-month test; the next 30 days keep the list moving every day.
    key: 'birthday-soon',
    name: 'Birthday in the next 30 days',
    description: 'Birthdays from today through the next 30 days',
    definition: () => ({ type: 'attribute', field: 'birthday', op: 'anniversary_within_days', value: 30 }),
  },
  {
    key: 'night-ads-consent',
    name: 'Night-ads consent',
    description: 'Agreed to receive advertising at night (21:00–08:00) by SMS or KakaoTalk',
    definition: () => ({ or: [{ type: 'consent', channel: 'sms', purpose: 'night_ads' }, { type: 'consent', channel: 'kakao', purpose: 'night_ads' }] }),
  },
];

/** Creates the starters the workspace does not have yet and queues their computation. */
export async function createStarterSegments(db: Queryable, opts: { workspaceId: string; actor: Actor }): Promise<{ created: Segment[]; existing: number }> {
  const settings = await getAnalyticsSettings(db, { workspaceId: opts.workspaceId });
  const topGrade = settings.grades[0]?.name ?? 'VIP';
  const rows = await db
    .select({ id: segments.id, starterKey: segments.starterKey })
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), isNull(segments.deletedAt)));
  const ids = new Map<StarterKey, string>();
  for (const r of rows) if (r.starterKey) ids.set(r.starterKey as StarterKey, r.id);
  const existing = ids.size;
  const created: Segment[] = [];
  // In list order: a starter that refers to another comes after it.
  for (const s of STARTERS) {
    if (ids.has(s.key)) continue;
    const segment = await createSegment(db, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      input: { name: s.name, description: s.description, kind: 'dynamic', definition: s.definition({ topGrade, ids }), starterKey: s.key },
    });
    ids.set(s.key, segment.id);
    created.push(segment);
    await enqueueRecompute(db, { workspaceId: opts.workspaceId, segmentId: segment.id });
  }
  return { created, existing };
}
