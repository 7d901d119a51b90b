import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../db/test-helpers.ts';
import { createTwoShops, type Client, type TwoShops } from '../http/test-client.ts';
import { listAudit } from '../workspaces/audit.ts';

const MJML = `<mjml><mj-body><mj-section><mj-column>
  <mj-text>{{ customer.name | default: "고객" }}님은 {{ customer.grade | default: "일반" }} 등급입니다. {{ customer.email }}</mj-text>
</mj-column></mj-section></mj-body></mjml>`;

describeEachDb('templates API', (database) => {
  let s: TwoShops;
  beforeAll(async () => {
    s = await createTwoShops(database(), { names: ['라온샵', 'Other shop'] });
    // Seven logins (argon2) per database: past 60 s once on this shared machine under load.
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });

  async function customer(client: Client, body: Record<string, unknown>): Promise<string> {
    const res = await client.post('/api/customers', body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('refuses, at save, an unknown variable or a Liquid or MJML error with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ kind: 'email', subject: '{{ customer.nmae }}님', body: MJML }, 'subject', /^subject: customer has no nmae \(did you mean customer.name\?\)/],
      [{ kind: 'email', subject: '안녕', body: '<mjml><mj-body><mj-sektion></mj-sektion></mj-body></mjml>' }, 'body', /^body: MJML line 1: Element mj-sektion/],
      [{ kind: 'sms', subject: '{% if customer.grade %}제목', body: '본문' }, 'subject', /^subject: tag \{% if customer.grade %\} not closed/],
      [{ kind: 'sms', body: '{{ coupon.code }}' }, 'body', /^body: unknown variable coupon/],
      [{ kind: 'kakao', body: '안내', options: { type: 'alimtalk' } }, 'options.templateCode', /^options.templateCode: AlimTalk needs/],
      [{ kind: 'sms', purpose: 'transactional', body: '가'.repeat(1001) }, 'body', /^body: 2,002 bytes in EUC-KR; .*at most 2,000/],
      [{ kind: 'sms', body: '가'.repeat(990) }, 'body', /^body: 2,0\d\d bytes in EUC-KR with the advertising marks/],
    ];
    for (const [input, field, message] of cases) {
      const res = await s.ownerA.post('/api/templates', { name: '시험', ...input });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.details.errors[0].field).toBe(field);
    }
    // A request that is not a template at all is refused by its schema, naming the field.
    const bad = await s.ownerA.post('/api/templates', { name: 'x', kind: 'fax', body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.kind/);
    expect((await s.ownerA.get('/api/templates')).body.items).toEqual([]);
  });

  it('keeps every version: a change is the next version and the old ones stay readable', async () => {
    const created = await s.ownerA.post('/api/templates', { name: '등급 안내', kind: 'email', purpose: 'marketing', subject: '{{ customer.first_name }}님의 등급', body: MJML });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '등급 안내', label: '등급 안내 (v1)', latestVersion: 1, version: { version: 1, format: 'mjml' } });
    expect(created.body.version.compiled).toContain('{{ customer.grade | default: "일반" }}');
    const id = created.body.id as string;
    const changed = await s.ownerA.put(`/api/templates/${id}`, { subject: '{{ customer.first_name }}님, 등급이 바뀌었어요' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ latestVersion: 2, label: '등급 안내 (v2)', version: { version: 2, subject: '{{ customer.first_name }}님, 등급이 바뀌었어요' } });
    const v1 = await s.ownerA.get(`/api/templates/${id}?version=1`);
    expect(v1.body.version).toMatchObject({ version: 1, subject: '{{ customer.first_name }}님의 등급' });
    expect((await s.ownerA.get(`/api/templates/${id}?version=3`)).status).toBe(404);
    const versions = await s.ownerA.get(`/api/templates/${id}/versions`);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    // A failed change stores nothing.
    expect((await s.ownerA.put(`/api/templates/${id}`, { body: '<mjml><mj-body>{{ customer.nmae }}</mj-body></mjml>' })).status).toBe(400);
    expect((await s.ownerA.get(`/api/templates/${id}`)).body.latestVersion).toBe(2);

    const list = await s.ownerA.get('/api/templates?kind=email');
    expect(list.body.items.map((t: { label: string }) => t.label)).toContain('등급 안내 (v2)');
    const archived = await s.ownerA.delete(`/api/templates/${id}`);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).not.toBeNull();
    expect((await s.ownerA.get('/api/templates')).body.items.map((t: { id: string }) => t.id)).not.toContain(id);
    expect((await s.ownerA.get(`/api/templates/${id}?version=1`)).status).toBe(200);
    const audit = await listAudit(database().db, { workspaceId: s.a.workspace.id, entityType: 'message_template', entityId: id, limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['template.archive', 'template.update', 'template.create']);
  });

  it('previews for a real customer with their grade, the ad subject, and HTML in a name escaped', async () => {
    const t = await s.ownerA.post('/api/templates', { name: '미리보기', kind: 'email', purpose: 'marketing', subject: '{{ customer.first_name }}님께', body: MJML });
    const kim = await customer(s.ownerA, { name: '김민준', email: 'minjun@raon.test' });
    const evil = await customer(s.ownerA, { name: '<script>alert(1)</script>' });
    await database().db.execute(sql`insert into customer_metrics (workspace_id, customer_id, grade) values (${s.a.workspace.id}::uuid, ${kim}::uuid, 'VIP')`);

    const p = await s.ownerA.post(`/api/templates/${t.body.id}/preview`, { customerId: kim });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body).toMatchObject({ template: { name: '미리보기', label: '미리보기 (v1)', version: 1 }, customer: { id: kim, name: '김민준', grade: 'VIP' }, subject: '(광고) 민준님께', masked: false, errors: [] });
    expect(p.body.html).toContain('김민준님은 VIP 등급입니다. minjun@raon.test');
    expect(p.body.text).toContain('김민준님은 VIP 등급입니다.');

    const e = await s.ownerA.post(`/api/templates/${t.body.id}/preview`, { customerId: evil });
    expect(e.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;님은 일반 등급입니다.');
    expect(e.body.html).not.toContain('<script>alert(1)');

    // A viewer sees personal data masked.
    const masked = await s.as.viewer.post(`/api/templates/${t.body.id}/preview`, { customerId: kim });
    expect(masked.status).toBe(200);
    expect(masked.body.masked).toBe(true);
    expect(masked.body.html).toContain('mi***@raon.test');
    expect(masked.body.html).not.toContain('minjun@raon.test');
  });

  it('previews a text message with its bytes and type, and says which data is missing', async () => {
    const t = await s.ownerA.post('/api/templates', { name: '주문 문자', kind: 'sms', purpose: 'transactional', body: '{{ customer.first_name }}님 주문 {{ data.order_id }} 접수' });
    expect(t.status).toBe(201);
    const kim = await customer(s.ownerA, { name: '이서연' });
    const p = await s.ownerA.post(`/api/templates/${t.body.id}/preview`, { customerId: kim, data: { order_id: 'A-1' } });
    expect(p.body).toMatchObject({ text: '서연님 주문 A-1 접수', sms: { bytes: 20, type: 'SMS' }, errors: [] });
    const missing = await s.ownerA.post(`/api/templates/${t.body.id}/preview`, { customerId: kim });
    expect(missing.body.text).toBe('서연님 주문  접수');
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'body', message: expect.stringContaining('data.order_id') })]);
  });

  it('checks live for the editor: 45 syllables are a 90-byte SMS, 46 an LMS, ad marks counted', async () => {
    const check = (body: Record<string, unknown>) => s.as.viewer.post('/api/templates/validate', body);
    expect((await check({ kind: 'sms', purpose: 'transactional', body: '가'.repeat(45) })).body).toMatchObject({ ok: true, bytes: 90, type: 'SMS', errors: [] });
    expect((await check({ kind: 'sms', purpose: 'transactional', body: '가'.repeat(46) })).body).toMatchObject({ ok: true, bytes: 92, type: 'LMS' });
    const ad = await check({ kind: 'sms', purpose: 'marketing', body: '가'.repeat(45) });
    expect(ad.body.type).toBe('LMS');
    expect(ad.body.bytes).toBeGreaterThan(90);
    const wrong = await check({ kind: 'email', subject: 's', body: '<p>{{ customer.nmae }}</p>' });
    expect(wrong.body).toMatchObject({ ok: false, bytes: null, type: null, errors: [{ field: 'body', line: 1 }] });
  });

  it('keeps workspaces apart: another workspace’s template or customer is a 404', async () => {
    const t = await s.ownerA.post('/api/templates', { name: 'A 전용', kind: 'push', subject: '세일', body: '{{ customer.first_name }}님' });
    const id = t.body.id as string;
    const theirs = await customer(s.ownerB, { name: '남의 고객' });
    const mine = await customer(s.ownerA, { name: '우리 고객' });
    expect((await s.ownerB.get(`/api/templates/${id}`)).status).toBe(404);
    expect((await s.ownerB.get(`/api/templates/${id}/versions`)).status).toBe(404);
    expect((await s.ownerB.put(`/api/templates/${id}`, { body: 'x' })).status).toBe(404);
    expect((await s.ownerB.delete(`/api/templates/${id}`)).status).toBe(404);
    expect((await s.ownerB.post(`/api/templates/${id}/preview`, { customerId: theirs })).status).toBe(404);
    const cross = await s.ownerA.post(`/api/templates/${id}/preview`, { customerId: theirs });
    expect(cross.status).toBe(404);
    expect(cross.body.error.message).toMatch(/^body.customerId/);
    expect((await s.ownerB.get('/api/templates')).body.items.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await s.ownerA.post(`/api/templates/${id}/preview`, { customerId: mine })).body.push).toMatchObject({ title: '세일', body: '우리님' });
  });

  it('lets a viewer read and preview but not write; a marketer writes', async () => {
    const t = await s.ownerA.post('/api/templates', { name: '권한', kind: 'sms', body: '안녕하세요' });
    const id = t.body.id as string;
    expect((await s.as.viewer.get('/api/templates')).status).toBe(200);
    expect((await s.as.viewer.get(`/api/templates/${id}`)).status).toBe(200);
    expect((await s.as.viewer.post('/api/templates', { name: 'v', kind: 'sms', body: 'x' })).status).toBe(403);
    expect((await s.as.viewer.put(`/api/templates/${id}`, { body: 'y' })).status).toBe(403);
    expect((await s.as.viewer.delete(`/api/templates/${id}`)).status).toBe(403);
    expect((await s.as.analyst.put(`/api/templates/${id}`, { body: 'y' })).status).toBe(403);
    const byMarketer = await s.as.marketer.put(`/api/templates/${id}`, { body: '반갑습니다' });
    expect(byMarketer.status).toBe(200);
    expect(byMarketer.body.version.createdByLabel).toMatch(/^marketer-/);
  });
});
