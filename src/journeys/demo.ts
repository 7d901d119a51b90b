// The demo workspace's journeys: the welcome series and the VIP care live (the demo shop's
// sign-ups and the analytics' churn warnings walk them, their e-mails land in the Sandbox), the
// others left for a newcomer to turn on from the starters. Once per workspace, by starter key.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { Actor } from '../workspaces/audit.ts';
import { activateJourney, createJourney } from './journeys.ts';
import type { StarterKey } from './views.ts';

const LIVE: StarterKey[] = ['welcome', 'vip_drifting'];

export async function setupDemoJourneys(db: Queryable, opts: { workspaceId: string; actor: Actor; locale?: string }): Promise<number> {
  const { rows } = await db.execute<{ starter_key: string }>(sql`
    select starter_key from journeys where workspace_id = ${opts.workspaceId}::uuid and starter_key is not null`);
  const have = new Set(rows.map((r) => r.starter_key));
  let made = 0;
  for (const key of LIVE) {
    if (have.has(key)) continue;
    const j = await createJourney(db, { workspaceId: opts.workspaceId, actor: opts.actor, input: { starterKey: key }, locale: opts.locale ?? 'ko' });
    await activateJourney(db, { workspaceId: opts.workspaceId, actor: opts.actor, id: j.id });
    made++;
  }
  return made;
}
