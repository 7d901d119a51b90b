// The sending rules on both databases: defaults without a row (what Korean law and practice ask),
// a change keeps what it does not name, null or an empty text clears the opt-out number, and
// workspaces keep their own rules; the opt-out number's check.
import { describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { checkOptOutNumber, getMessagingSettings, minuteToText, setMessagingSettings, textToMinute } from './settings.ts';

describeEachDb('messaging settings', (getDb) => {
  it('answers the defaults without a row, keeps what a change does not name, and keeps workspaces apart', async () => {
    const db = getDb().db;
    const { workspace } = await createTestWorkspace(getDb(), 'Rules A');
    const other = await createTestWorkspace(getDb(), 'Rules B');
    const defaults = await getMessagingSettings(db, workspace.id);
    expect(defaults).toEqual({
      senderName: null,
      optOutNumber: null,
      quietHours: { start: '21:00', end: '08:00' },
      quietStartMinute: 1260,
      quietEndMinute: 480,
      nightPolicy: 'defer',
      caps: [
        { purpose: 'marketing', channel: null, per: 'day', max: 2 },
        { purpose: 'marketing', channel: null, per: 'week', max: 5 },
      ],
      bestHour: null,
      updatedAt: null,
    });

    await setMessagingSettings(db, { workspaceId: workspace.id, actor: systemActor, input: { senderName: ' 라포르 ', optOutNumber: '080-500-1234' } });
    const changed = await setMessagingSettings(db, { workspaceId: workspace.id, actor: systemActor, input: { quietHours: { start: '22:00', end: '07:30' }, caps: [] } });
    expect(changed).toMatchObject({ senderName: '라포르', optOutNumber: '080-500-1234', quietStartMinute: 1320, quietEndMinute: 450, caps: [], updatedAt: expect.any(String) });
    expect(await getMessagingSettings(db, workspace.id)).toEqual(changed);

    const cleared = await setMessagingSettings(db, { workspaceId: workspace.id, actor: systemActor, input: { optOutNumber: '' } });
    expect(cleared.optOutNumber).toBeNull();
    expect((await setMessagingSettings(db, { workspaceId: workspace.id, actor: systemActor, input: { senderName: null } })).senderName).toBeNull();

    expect(await getMessagingSettings(db, other.workspace.id)).toEqual(defaults);
  });
});

describe('opt-out number and times of day', () => {
  it.each(['080-123-4567', '080-1234-5678', '02-123-4567', '1588-1234', '0801234567'])('takes %s as written', (n) => {
    expect(checkOptOutNumber(n)).toBe(n);
  });
  it.each(['123', '080 123 4567', '+82 80 123 4567', '080-123-4567 (free)', '9999-9999'])('refuses %s naming the field', (n) => {
    expect(() => checkOptOutNumber(n)).toThrow('body.optOutNumber');
  });
  it.each([
    [0, '00:00'],
    [480, '08:00'],
    [1259, '20:59'],
    [1439, '23:59'],
  ])('minute %i is %s and back', (m, text) => {
    expect(minuteToText(m)).toBe(text);
    expect(textToMinute(text)).toBe(m);
  });
});
