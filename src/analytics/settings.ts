// Per-workspace analytics settings: the RFM window, grade definitions, churn thresholds and the
// CLV horizon. One schema gives the validation, the type and the OpenAPI contract.
import { eq, sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { DEFAULT_GRADES, validateGradeDefinition, type GradeDefinition } from './grades.ts';
import { analyticsSettings } from './schema.ts';

export const AnalyticsSettingsSchema = Type.Object({
  rfmWindowDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
    description: 'Orders of the last N days count for RFM; null = all orders',
  }),
  grades: Type.Array(Type.Unknown(), {
    description: 'Grades, highest first: [{ "name", "rule": { "kind": rfm_score|spend|orders|all|always, "min"?, "rules"? } }] (docs/analytics.md)',
  }),
  churnPAlive: Type.Number({ minimum: 0, maximum: 1 }),
  churnRecencyDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  dormantDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  predictionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  clvHorizonDays: Type.Integer({ minimum: 7, maximum: 3650 }),
  clvDiscountRate: Type.Number({ minimum: 0, maximum: 1 }),
});
export type AnalyticsSettings = Omit<Static<typeof AnalyticsSettingsSchema>, 'grades'> & { grades: GradeDefinition['grades'] };
export const AnalyticsSettingsPatch = Type.Partial(AnalyticsSettingsSchema, { additionalProperties: false });
export type AnalyticsSettingsPatch = Static<typeof AnalyticsSettingsPatch>;

export const DEFAULT_SETTINGS: AnalyticsSettings = {
  rfmWindowDays: null,
  grades: DEFAULT_GRADES.grades,
  churnPAlive: 0.5,
  churnRecencyDays: 120,
  dormantDays: 30,
  predictionDays: 90,
  clvHorizonDays: 365,
  clvDiscountRate: 0.1,
};

export async function getAnalyticsSettings(db: Queryable, opts: { workspaceId: string }): Promise<AnalyticsSettings> {
  const [row] = await db.select().from(analyticsSettings).where(eq(analyticsSettings.workspaceId, opts.workspaceId));
  if (!row) return { ...DEFAULT_SETTINGS };
  return {
    rfmWindowDays: row.rfmWindowDays,
    grades: (row.grades as GradeDefinition['grades'] | null) ?? DEFAULT_GRADES.grades,
    churnPAlive: row.churnPAlive,
    churnRecencyDays: row.churnRecencyDays,
    dormantDays: row.dormantDays,
    predictionDays: row.predictionDays,
    clvHorizonDays: row.clvHorizonDays,
    clvDiscountRate: row.clvDiscountRate,
  };
}

export async function updateAnalyticsSettings(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; patch: AnalyticsSettingsPatch },
): Promise<AnalyticsSettings> {
  const before = await getAnalyticsSettings(db, opts);
  if (opts.patch.grades !== undefined) {
    const problems = validateGradeDefinition({ grades: opts.patch.grades });
    if (problems.length) throw new AppError('invalid_input', problems.map((p) => `body.${p}`).join('; '), { problems });
  }
  // The two rates are stored as reals: six decimals, as a tiny double such as 1e-166 fails the cast (underflow).
  const real = (x: number) => Math.round(x * 1e6) / 1e6;
  const merged: AnalyticsSettings = { ...before, ...opts.patch, grades: (opts.patch.grades as GradeDefinition['grades'] | undefined) ?? before.grades };
  const after: AnalyticsSettings = { ...merged, churnPAlive: real(merged.churnPAlive), clvDiscountRate: real(merged.clvDiscountRate) };
  const values = { ...after, grades: after.grades as unknown, updatedAt: new Date() };
  await db
    .insert(analyticsSettings)
    .values({ workspaceId: opts.workspaceId, ...values })
    .onConflictDoUpdate({ target: analyticsSettings.workspaceId, set: { ...values, updatedAt: sql`now()` } });
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'analytics.settings.updated',
    entityType: 'analytics_settings',
    entityId: opts.workspaceId,
    before: before as unknown as Record<string, unknown>,
    after: after as unknown as Record<string, unknown>,
  });
  return after;
}
