// Stated preferences as edited: categories with a weight from 0 to 1. Pure.
import type { Preference } from './api.ts';

export type PreferenceRow = { category: string; weight: number };

/** Trimmed, without blank categories, weights within 0–1 at two decimals, each category once (the last wins). */
export function cleanPreferences(rows: readonly PreferenceRow[]): PreferenceRow[] {
  const byCategory = new Map<string, number>();
  for (const row of rows) {
    const category = row.category.trim();
    if (!category) continue;
    const weight = Number.isFinite(row.weight) ? Math.min(1, Math.max(0, row.weight)) : 0;
    byCategory.delete(category);
    byCategory.set(category, Math.round(weight * 100) / 100);
  }
  return [...byCategory].map(([category, weight]) => ({ category, weight }));
}

/** Stated (survey) and inferred preferences apart, heaviest first. */
export function splitPreferences(items: readonly Preference[]): { stated: Preference[]; inferred: Preference[] } {
  const byWeight = (a: Preference, b: Preference) => b.weight - a.weight || a.category.localeCompare(b.category);
  return {
    stated: items.filter((p) => p.source === 'survey').sort(byWeight),
    inferred: items.filter((p) => p.source === 'inferred').sort(byWeight),
  };
}

export function samePreferences(a: readonly PreferenceRow[], b: readonly PreferenceRow[]): boolean {
  const key = (rows: readonly PreferenceRow[]) => JSON.stringify(cleanPreferences(rows).sort((x, y) => x.category.localeCompare(y.category)));
  return key(a) === key(b);
}
