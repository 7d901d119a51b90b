// The end-to-end e-mail test: a campaign-style batch through the dispatcher and nodemailer
// to a real SMTP server started here, parsed with mailparser; then the one-click unsubscribe POST
// from the List-Unsubscribe header withdraws the customer's e-mail marketing consent.
import { sql } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../http/app.ts';
import { clock } from '../clock.ts';
import { getConsents, unsubscribeToken } from '../customers/consents.ts';
import { createTestWorkspace, describeEachDb, testConfig } from '../db/test-helpers.ts';
import { systemActor } from '../workspaces/audit.ts';
import { addChannel, addCustomers, eventually, granted, startTestSmtp } from './delivery-test-fixture.ts';
import { unsubscribeTokens } from './delivery-render.ts';
import { startMessageDispatcher } from './dispatcher.ts';
import { closeProviders } from './providers/index.ts';
import { createMessages } from './send.ts';
import { setMessagingSettings } from './settings.ts';
import { createTemplate } from './templates.ts';

const PUBLIC = 'https://crm.rapport-shop.test';
const config = testConfig({ RAPPORT_PUBLIC_URL: PUBLIC, RAPPORT_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });
const N = 40;

const mjml = `<mjml><mj-body><mj-section><mj-column>
  <mj-text>안녕하세요 {{ customer.name }}님, {{ data.season }} 세일이 시작되었습니다.</mj-text>
  <mj-button href="https://shop.example/sale?utm=mail&amp;c={{ data.season }}">세일 보기</mj-button>
  <mj-text><a href="https://shop.example/new">신상품</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

describeEachDb('e-mail delivery end to end', (getDb) => {
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await closeProviders();
    await smtp.close();
  });

  it('sends a personalised campaign batch with (광고) subjects, tracked links and one-click List-Unsubscribe, which withdraws consent', async () => {
    const database = getDb();
    const { db } = database;
    const { workspace } = await createTestWorkspace(database, 'E2E shop');
    const ws = workspace.id;
    await addChannel(db, ws, { kind: 'email', provider: 'smtp', settings: smtp.settings() });
    await setMessagingSettings(db, { workspaceId: ws, actor: systemActor, input: { senderName: '라포르샵', optOutNumber: '080-123-4567' } });
    const template = await createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: 'Spring sale', kind: 'email', purpose: 'marketing', format: 'mjml', subject: '{{ customer.name }}님, {{ data.season }} 세일', body: mjml } });
    const tag = ws.slice(-8);
    const ids = await addCustomers(
      db,
      ws,
      Array.from({ length: N }, (_, i) => ({ email: `e2e-${i}-${tag}@example.com`, name: `고객${i}`, consents: granted('email', 'marketing') })),
    );
    // The batch helper's tokens are the customers area's own.
    const one = await unsubscribeTokens(db, ws, [{ customerId: ids[0]!, channel: 'email' }]);
    expect(one.get(`${ids[0]}:email`)).toBe(await unsubscribeToken(db, { workspaceId: ws, customerId: ids[0]!, channel: 'email' }));

    // Noon in Seoul: no quiet hours in the way.
    clock.set(new Date('2026-05-01T12:00:00+09:00'));
    const dispatcher = startMessageDispatcher(database, { config, pollMs: 50, batchSize: 16, workspaceIds: [ws] });
    const app = await buildApp({ database, config });
    try {
      const out = await createMessages(
        db,
        ids.map((customerId) => ({ workspaceId: ws, customerId, kind: 'email' as const, templateId: template.id, data: { season: '봄' }, purpose: 'marketing' as const, idempotencyKey: `campaign:e2e:customer:${customerId}`, origin: 'campaign' })),
      );
      // Created, and queued (or already taken by the dispatcher, which was woken by the insert).
      expect(out.filter((o) => !o.created || !['queued', 'sending', 'sent'].includes(o.message.status)).map((o) => [o.created, o.message.status, o.message.reason])).toEqual([]);
      const mine = () => smtp.received.filter((r) => r.to[0]?.endsWith(`-${tag}@example.com`));
      await eventually(() => mine().length === N, 60_000, `${N} e-mails`);

      const byAddress = new Map<string, ParsedMail>();
      for (const r of mine()) byAddress.set(r.to[0]!, await simpleParser(r.raw));
      expect(byAddress.size).toBe(N);
      const idOf = new Map(out.map((o) => [o.message.customerId, o.message.id]));
      for (let i = 0; i < N; i++) {
        const mail = byAddress.get(`e2e-${i}-${tag}@example.com`)!;
        const messageId = idOf.get(ids[i]!)!;
        expect(mail.subject).toBe(`(광고) 고객${i}님, 봄 세일`);
        expect(mail.html).toContain(`안녕하세요 고객${i}님, 봄 세일이 시작되었습니다.`);
        expect(mail.text).toContain(`고객${i}님`);
        expect(mail.messageId).toBe(`<${messageId}@rapport-shop.test>`);
        const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ');
        expect(header('x-rapport-message')).toBe(`X-Rapport-Message: ${messageId}`);
        expect(header('list-unsubscribe')).toMatch(new RegExp(`^List-Unsubscribe: <${PUBLIC}/u/[A-Za-z0-9_.-]+>, <mailto:shop@rapport-shop.test\\?subject=unsubscribe>$`));
        expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
        // Links go through Rapport's redirect; the originals are kept on the message; an open pixel; an unsubscribe link in the body.
        const html = mail.html as string;
        expect(html).not.toContain('https://shop.example/');
        expect(html.match(new RegExp(`${PUBLIC}/r/[A-Za-z0-9_-]+`, 'g'))).toHaveLength(2);
        expect(html).toMatch(new RegExp(`<img src="${PUBLIC}/o/[A-Za-z0-9_-]+\\.gif"`));
        expect(html).toContain(`${PUBLIC}/u/`);
      }
      const { rows } = await db.execute<{ links: string[]; status: string; n: number }>(
        sql`select links, status from messages where workspace_id = ${ws}::uuid and id = ${idOf.get(ids[3]!)!}::uuid`,
      );
      expect(rows[0]!.links).toEqual(['https://shop.example/sale?utm=mail&c=봄', 'https://shop.example/new']);

      // One-click unsubscribe (RFC 8058): the mailbox provider POSTs to the header's https URL.
      const mail = byAddress.get(`e2e-5-${tag}@example.com`)!;
      const url = /<(https:[^>]+)>/.exec(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1]!;
      const before = await getConsents(db, { workspaceId: ws, customerId: ids[5]! });
      expect(before.find((c) => c.channel === 'email' && c.purpose === 'marketing')?.status).toBe('granted');
      const res = await app.inject({ method: 'POST', url: new URL(url).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(res.statusCode).toBe(200);
      const after = await getConsents(db, { workspaceId: ws, customerId: ids[5]! });
      expect(after.find((c) => c.channel === 'email' && c.purpose === 'marketing')?.status).toBe('denied');
      const others = await getConsents(db, { workspaceId: ws, customerId: ids[6]! });
      expect(others.find((c) => c.channel === 'email' && c.purpose === 'marketing')?.status).toBe('granted');
    } finally {
      await dispatcher.stop();
      await app.close();
      clock.reset();
    }
  }, 120_000);
});
