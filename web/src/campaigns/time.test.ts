import { describe, expect, it } from 'vitest';
import { isoToZonedLocal, zonedLocalToIso } from './time.ts';

describe('zonedLocalToIso', () => {
  it.each([
    ['2026-12-24T10:00', 'Asia/Seoul', '2026-12-24T01:00:00.000Z'],
    ['2026-12-24T00:30', 'Asia/Seoul', '2026-12-23T15:30:00.000Z'],
    ['2026-12-24T10:00', 'UTC', '2026-12-24T10:00:00.000Z'],
    // New York in winter (−5) and in summer (−4): the offset of the day itself.
    ['2026-01-15T09:00', 'America/New_York', '2026-01-15T14:00:00.000Z'],
    ['2026-07-15T09:00', 'America/New_York', '2026-07-15T13:00:00.000Z'],
    ['2026-03-29T12:00', 'Asia/Kolkata', '2026-03-29T06:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, iso) => {
    expect(zonedLocalToIso(local, zone)).toBe(iso);
  });

  it.each(['', '2026-12-24', '2026-12-24 10:00', 'soon'])('refuses %j', (local) => {
    expect(zonedLocalToIso(local, 'Asia/Seoul')).toBeNull();
  });
});

describe('isoToZonedLocal', () => {
  it.each([
    ['2026-12-24T01:00:00.000Z', 'Asia/Seoul', '2026-12-24T10:00'],
    ['2026-12-23T15:00:00.000Z', 'Asia/Seoul', '2026-12-24T00:00'],
    ['2026-07-15T13:00:00.000Z', 'America/New_York', '2026-07-15T09:00'],
  ])('%s in %s reads %s', (iso, zone, local) => {
    expect(isoToZonedLocal(iso, zone)).toBe(local);
  });

  it('is the inverse of zonedLocalToIso', () => {
    for (const local of ['2026-02-01T08:15', '2026-11-30T23:59', '2026-06-01T00:00']) {
      expect(isoToZonedLocal(zonedLocalToIso(local, 'Europe/Berlin')!, 'Europe/Berlin')).toBe(local);
    }
  });

  it('reads nothing from a bad instant', () => {
    expect(isoToZonedLocal('not a time', 'Asia/Seoul')).toBe('');
  });
});
