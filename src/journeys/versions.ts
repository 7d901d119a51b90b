// The frozen versions of journeys: a run walks the version it entered (or was moved to).
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { JourneyDefinition } from './graph.ts';

export const versionKey = (journeyId: string, version: number) => `${journeyId}:${version}`;

/** The definitions of these (journey, version) pairs, by versionKey. */
export async function loadVersions(db: Queryable, workspaceId: string, keys: { journeyId: string; version: number }[]): Promise<Map<string, JourneyDefinition & { name: string }>> {
  const result = new Map<string, JourneyDefinition & { name: string }>();
  const unique = [...new Map(keys.map((k) => [versionKey(k.journeyId, k.version), k])).values()];
  if (unique.length === 0) return result;
  const { rows } = await db.execute<{ journey_id: string; version: number; definition: JourneyDefinition; name: string }>(sql`
    select v.journey_id, v.version, v.definition, j.name
    from unnest(${sql.param(unique.map((k) => k.journeyId))}::uuid[], ${sql.param(unique.map((k) => k.version))}::int[]) as k(journey_id, version)
    join journey_versions v on v.workspace_id = ${workspaceId}::uuid and v.journey_id = k.journey_id and v.version = k.version
    join journeys j on j.workspace_id = v.workspace_id and j.id = v.journey_id`);
  for (const r of rows) result.set(versionKey(r.journey_id, Number(r.version)), { ...r.definition, name: r.name });
  return result;
}
