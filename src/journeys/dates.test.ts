import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import '../areas.ts';
import { createAttributeDef } from '../customers/attributes.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { addCustomers } from '../messaging/delivery-test-fixture.ts';
import { systemActor } from '../workspaces/audit.ts';
import { enterByDates, localDateHour, monthDaysOn } from './dates.ts';
import { activateJourney, createJourney } from './journeys.ts';
import { runJourneysWork } from './work.ts';

describe('date arithmetic', () => {
  it('reads the local date and hour in a zone, and celebrates 29 February on the 28th of a common year', () => {
    expect(localDateHour(new Date('2026-11-02T15:30:00Z'), 'Asia/Seoul')).toEqual({ date: '2026-11-03', hour: 0 });
    expect(localDateHour(new Date('2026-11-02T15:30:00Z'), 'America/New_York')).toEqual({ date: '2026-11-02', hour: 10 });
    expect(monthDaysOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(monthDaysOn('2028-02-28')).toEqual(['02-28']);
    expect(monthDaysOn('2028-02-29')).toEqual(['02-29']);
  });
});

describeEachDb('date-triggered journeys', (getDb) => {
  it('enters each customer once a year, N days before their date, from the hour in their own zone', async () => {
    const database = getDb();
    const db = database.db;
    const { workspace } = await createTestWorkspace(database, 'Birthday shop');
    const ws = workspace.id;
    await createAttributeDef(db, { workspaceId: ws, actor: systemActor, input: { key: 'wedding_day', label: '결혼기념일', type: 'date', purpose: 'marketing' } });
    const [soon, notYet, newYork, other, wedding] = await addCustomers(db, ws, [
      { name: '사흘 뒤 생일', birthday: '1990-11-05' },
      { name: '나흘 뒤 생일', birthday: '1985-11-06' },
      { name: '뉴욕 고객', birthday: '1992-11-05', timeZone: 'America/New_York' },
      { name: '날짜 없음' },
      { name: '결혼기념일', attributes: { wedding_day: '2020-11-05' } },
    ]);
    const journey = async (field: string) => {
      const j = await createJourney(db, {
        workspaceId: ws,
        actor: systemActor,
        input: { name: field, definition: { trigger: { type: 'date', field, daysBefore: 3, hour: 10 }, entry: { mode: 'always' }, graph: { start: 'end', steps: [{ id: 'end', type: 'exit' }] } } },
      });
      await activateJourney(db, { workspaceId: ws, actor: systemActor, id: j.id });
      return j.id;
    };
    const birthday = await journey('birthday');
    const anniversary = await journey('attributes.wedding_day');
    const entered = async (journeyId: string) =>
      (await db.execute<{ customer_id: string; entry_key: string }>(sql`select customer_id, entry_key from journey_runs where workspace_id = ${ws}::uuid and journey_id = ${journeyId}::uuid order by customer_id`)).rows;

    // 09:59 in Seoul on 2 November: not yet the hour.
    await enterByDates(db, { workspaceId: ws, now: new Date('2026-11-02T00:59:00Z') });
    expect(await entered(birthday)).toEqual([]);
    // 10:00 in Seoul: the Seoul customer whose birthday is in three days; it is 20:00 the day before in New York.
    await enterByDates(db, { workspaceId: ws, now: new Date('2026-11-02T01:00:00Z') });
    expect(await entered(birthday)).toEqual([{ customer_id: soon, entry_key: `date:birthday:2026:${soon}` }]);
    expect((await entered(anniversary)).map((r) => r.customer_id)).toEqual([wedding]);
    // Looked at again the same day and the next: nobody enters twice.
    await enterByDates(db, { workspaceId: ws, now: new Date('2026-11-02T08:00:00Z') });
    expect(await entered(birthday)).toHaveLength(1);
    // 10:00 on 2 November in New York.
    await enterByDates(db, { workspaceId: ws, now: new Date('2026-11-02T15:00:00Z') });
    expect((await entered(birthday)).map((r) => r.customer_id).sort()).toEqual([soon, newYork].sort());
    expect((await entered(birthday)).some((r) => r.customer_id === notYet || r.customer_id === other)).toBe(false);
    // The runs end (their one step is the exit); a year later they come round again.
    await runJourneysWork(db, { workspaceId: ws, now: new Date('2026-11-02T16:00:00Z') });
    await enterByDates(db, { workspaceId: ws, now: new Date('2027-11-02T01:00:00Z') });
    expect((await entered(birthday)).filter((r) => r.customer_id === soon).map((r) => r.entry_key).sort()).toEqual([`date:birthday:2026:${soon}`, `date:birthday:2027:${soon}`]);
  });
});
