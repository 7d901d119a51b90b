// The consent grid (channel × purpose) and the changes a person made to it. Pure.
import type { ConsentState } from './api.ts';
import { CHANNELS, PURPOSES, type Channel, type ConsentPurpose, type ConsentStatus } from './fields.ts';

export type ConsentGrid = Record<Channel, Record<ConsentPurpose, ConsentStatus>>;
export type ConsentSetting = { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus };

/** Every channel × purpose, "unknown" where the server lists nothing. */
export function gridOf(current: readonly ConsentState[]): ConsentGrid {
  const grid = Object.fromEntries(CHANNELS.map((ch) => [ch, Object.fromEntries(PURPOSES.map((p) => [p, 'unknown']))])) as ConsentGrid;
  for (const c of current) if (grid[c.channel]?.[c.purpose]) grid[c.channel][c.purpose] = c.status;
  return grid;
}

export function setCell(grid: ConsentGrid, channel: Channel, purpose: ConsentPurpose, status: ConsentStatus): ConsentGrid {
  return { ...grid, [channel]: { ...grid[channel], [purpose]: status } };
}

/** The cells that differ, for PUT /consents. */
export function gridChanges(before: ConsentGrid, after: ConsentGrid): ConsentSetting[] {
  const out: ConsentSetting[] = [];
  for (const channel of CHANNELS) {
    for (const purpose of PURPOSES) {
      if (before[channel][purpose] !== after[channel][purpose]) out.push({ channel, purpose, status: after[channel][purpose] });
    }
  }
  return out;
}

export const STATUS_COLORS: Record<ConsentStatus, string> = { granted: 'teal', denied: 'red', unknown: 'gray' };
