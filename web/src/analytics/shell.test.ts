import { describe, expect, it } from 'vitest';
import { ANALYTICS_TABS, tabOfPath, tabPath } from './shell.ts';

describe('analytics tabs', () => {
  it.each([
    ['/analytics', 'overview'],
    ['/analytics/', 'overview'],
    ['/analytics/rfm', 'rfm'],
    ['/analytics/at-risk', 'at-risk'],
    ['/analytics/settings/extra', 'settings'],
    ['/analytics/nonsense', 'overview'],
  ] as const)('%s → %s', (path, tab) => {
    expect(tabOfPath(path)).toBe(tab);
  });

  it('has an address for every tab that reads back as the tab', () => {
    for (const tab of ANALYTICS_TABS) expect(tabOfPath(tabPath(tab))).toBe(tab);
    expect(tabPath('overview')).toBe('/analytics');
  });
});
