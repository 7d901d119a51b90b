// Checking and rendering templates, without a database.
import { describe, expect, it } from 'vitest';
import { preparedCount, preparedFor, renderTemplate, validateTemplate, type RenderSource } from './template-render.ts';
import { sampleContext, type LiquidContext } from './template-context.ts';

const ctx = (over: Partial<LiquidContext['customer']> = {}, data: Record<string, unknown> = {}): LiquidContext => {
  const base = sampleContext('라온샵');
  return { ...base, customer: { ...base.customer, ...over }, data };
};

const fields = (r: Awaited<ReturnType<typeof validateTemplate>>) => (r.ok ? [] : r.errors.map((e) => e.field));

describe('strict mode when saving', () => {
  it('refuses an unknown field of a known variable, naming the field, the path and the line, with a suggestion', async () => {
    const r = await validateTemplate({ kind: 'email', format: 'html', subject: '안녕 {{ customer.name }}', body: '<p>hi</p>\n<p>{{ customer.nmae }}</p>' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'body', line: 2 });
    expect(r.errors[0]!.message).toContain('customer has no nmae (did you mean customer.name?)');
  });

  it('refuses an unknown variable in the subject, naming the subject', async () => {
    const r = await validateTemplate({ kind: 'email', format: 'html', subject: '{{ custmer.name }}님', body: '<p>hi</p>' });
    expect(fields(r)).toEqual(['subject']);
    expect(r.ok ? '' : r.errors[0]!.message).toMatch(/unknown variable custmer \(did you mean customer\?\)/);
  });

  it('a Liquid syntax error is refused naming the field (title of an LMS, body of a push)', async () => {
    expect(fields(await validateTemplate({ kind: 'sms', subject: '{{ customer.name ', body: '안녕하세요' }))).toEqual(['subject']);
    expect(fields(await validateTemplate({ kind: 'push', subject: '세일', body: '{% if customer.grade %}VIP' }))).toEqual(['body']);
    expect(fields(await validateTemplate({ kind: 'sms', body: '{{ customer.name | shout }}' }))).toEqual(['body']);
  });

  it('takes anything under data, known customer fields, last order fields, and loops over recommendations', async () => {
    const r = await validateTemplate({
      kind: 'email',
      format: 'html',
      subject: '{{ customer.first_name | default: "고객" }}님, {{ data.coupon_code }}',
      body: `<p>{{ customer.grade }} {{ customer.clv_band }} {{ customer.last_order.date }} {{ data.order.items[0].name }} {{ workspace.name }}</p>
        {% for p in recommendations limit:3 %}<a href="{{ p.url }}">{{ p.name }} {{ p.price_formatted }}</a>{{ forloop.index }}{% endfor %}
        {{ recommendations.size }} {{ recommendations.first.name }} {{ customer.name.size }} <a href="{{ message.unsubscribe_url }}">수신거부</a>`,
    });
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('checks fields of a loop variable over recommendations, and of the last order', async () => {
    const r = await validateTemplate({ kind: 'sms', body: '{% for p in recommendations %}{{ p.nmae }}{% endfor %} {{ customer.last_order.totl }}' });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('customer.last_order has no totl (did you mean customer.last_order.total?)'),
      expect.stringContaining('p has no nmae'),
    ]);
  });

  it('checks custom attributes against the workspace’s keys when given', async () => {
    const body = '{{ customer.attributes.shoe_size }} {{ customer.attributes.shoe_sise }}';
    expect((await validateTemplate({ kind: 'sms', body })).ok).toBe(true);
    const r = await validateTemplate({ kind: 'sms', body }, { attributeKeys: ['shoe_size'] });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([expect.stringContaining('customer.attributes has no shoe_sise (did you mean customer.attributes.shoe_size?)')]);
  });

  it('refuses partials: templates cannot read files', async () => {
    for (const tag of ['{% include "/etc/passwd" %}', '{% render "x" %}', '{% layout "x" %}']) {
      const r = await validateTemplate({ kind: 'sms', body: tag });
      expect(r.ok ? '' : r.errors[0]!.message).toContain('not available in message templates');
    }
  });

  it('a format the kind is not written in is refused naming format', async () => {
    expect(fields(await validateTemplate({ kind: 'sms', format: 'mjml', body: 'x' }))).toEqual(['format']);
    expect(fields(await validateTemplate({ kind: 'email', format: 'html', subject: ' ', body: '<p>x</p>' }))).toEqual(['subject']);
  });
});

describe('MJML', () => {
  const mjml = (inner: string) => `<mjml><mj-body><mj-section><mj-column><mj-text>{{ customer.name }}님</mj-text></mj-column></mj-section>${inner}</mj-body></mjml>`;

  it('is compiled when saved, with every Liquid tag intact', async () => {
    const r = await validateTemplate({
      kind: 'email',
      subject: 's',
      body: mjml(`<mj-raw>{% for p in recommendations limit:3 %}</mj-raw><mj-section><mj-column><mj-image src="{{ p.image }}" href="{{ p.url }}" /><mj-button href="{{ p.url | append: '?a=1&b=2' }}">{{ p.name }}</mj-button></mj-column></mj-section><mj-raw>{% endfor %}</mj-raw>`),
    });
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.format).toBe('mjml');
    expect(r.compiled).toContain('<!doctype html>');
    expect(r.compiled).toContain("{{ p.url | append: '?a=1&b=2' }}");
    expect(r.compiled).toContain('{% for p in recommendations limit:3 %}');
    const html = (await renderTemplate({ kind: 'email', format: 'mjml', subject: 's', body: 'unused', compiled: r.compiled }, ctx())).body;
    expect(html.match(/추천 상품 \d/g)).toEqual(['추천 상품 1', '추천 상품 2', '추천 상품 3']);
    expect(html).toContain('https://shop.example.com/p/1?a=1&amp;b=2');
  });

  it('refuses Liquid that MJML would drop (a loop between sections outside mj-raw), naming body and the line', async () => {
    const r = await validateTemplate({ kind: 'email', subject: 's', body: mjml('\n{% for p in recommendations %}\n<mj-section><mj-column><mj-text>{{ p.name }}</mj-text></mj-column></mj-section>\n{% endfor %}') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.field, e.line])).toEqual([
      ['body', 2],
      ['body', 4],
    ]);
    expect(r.errors[0]!.message).toMatch(/MJML dropped or changed the Liquid \{% for p in recommendations %\}.*mj-raw/);
  });

  it('an MJML error is refused naming body', async () => {
    const r = await validateTemplate({ kind: 'email', subject: 's', body: '<mjml><mj-body><mj-section><mj-colum><mj-text>x</mj-text></mj-colum></mj-section></mj-body></mjml>' });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^body: MJML line 1: Element mj-colum doesn't exist/)]);
  });
});

describe('rendering', () => {
  const email = (body: string, subject = '{{ customer.name }}님께'): RenderSource => ({ kind: 'email', format: 'html', subject, body });

  it('escapes HTML in e-mail bodies, not in the subject or the text part; raw passes trusted HTML', async () => {
    const c = ctx({ name: '<script>alert(1)</script>' }, { banner: '<b>봄</b>' });
    const r = await renderTemplate(email('<p>{{ customer.name }}</p>{{ data.banner | raw }}'), c);
    expect(r.body).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><b>봄</b>');
    expect(r.subject).toBe('<script>alert(1)</script>님께');
    expect(r.text).toContain('<script>alert(1)</script>');
  });

  it('does not escape texts (SMS, Kakao, push)', async () => {
    const c = ctx({ name: 'A&B <Kim>' });
    expect((await renderTemplate({ kind: 'sms', body: '{{ customer.name }}님' }, c)).body).toBe('A&B <Kim>님');
    const push = await renderTemplate({ kind: 'push', subject: '{{ customer.first_name }}님', body: '{{ customer.name }}', options: { url: 'https://s/{{ customer.id }}' } }, c);
    expect(push).toMatchObject({ title: '민준님', body: 'A&B <Kim>', options: { url: `https://s/${c.customer.id}` } });
    const kakao = await renderTemplate({ kind: 'kakao', body: '{{ customer.name }}', options: { type: 'friendtalk', buttons: [{ name: '{{ customer.grade }} 혜택', type: 'WL', linkMo: 'https://m/{{ data.id }}' }] } }, ctx({}, { id: 7 }));
    expect(kakao.options.buttons).toEqual([{ name: 'VIP 혜택', type: 'WL', linkMo: 'https://m/7' }]);
  });

  it('default: a null or empty value takes the default', async () => {
    const src: RenderSource = { kind: 'sms', body: '{{ customer.name | default: "고객" }}님 {{ customer.grade | default: "일반" }}' };
    expect((await renderTemplate(src, ctx({ name: null, grade: '' }))).body).toBe('고객님 일반');
    expect((await renderTemplate(src, ctx({ name: '이서연', grade: 'VIP' }))).body).toBe('이서연님 VIP');
  });

  it('a value the caller did not pass is an error naming the field, not a blank message', async () => {
    await expect(renderTemplate({ kind: 'sms', body: '주문 {{ data.order_id }}' }, ctx())).rejects.toThrow(/^body: undefined variable: data.order_id/);
  });

  it('loops over at most three recommendations with limit:3', async () => {
    const c = ctx();
    c.recommendations = [...c.recommendations, { ...c.recommendations[0]!, name: '넷째' }];
    const r = await renderTemplate({ kind: 'sms', body: '{% for p in recommendations limit:3 %}{{ p.name }};{% endfor %}' }, c);
    expect(r.body).toBe('추천 상품 1;추천 상품 2;추천 상품 3;');
  });

  it('a webhook body is JSON whatever the values hold', async () => {
    const c = ctx({ name: 'Kim "the" \\ K' });
    const r = await renderTemplate({ kind: 'webhook', format: 'json', body: '{"name": {{ customer.name }}, "grade": {{ customer.grade }}, "recs": {{ recommendations.size }}, "first": {{ customer.last_order }}}' }, c);
    expect(JSON.parse(r.body)).toEqual({ name: 'Kim "the" \\ K', grade: 'VIP', recs: 3, first: c.customer.last_order });
  });

  it('parses a version once, however many customers it is rendered for', async () => {
    const source: RenderSource = { workspaceId: crypto.randomUUID(), templateId: crypto.randomUUID(), version: 1, ...email('<p>{{ customer.name }} {{ customer.grade }}</p>') };
    const before = preparedCount();
    const first = await preparedFor(source);
    for (let i = 0; i < 2000; i++) {
      const r = await renderTemplate(source, ctx({ name: `고객${i}` }));
      if (i === 1999) expect(r.body).toBe('<p>고객1999 VIP</p>');
    }
    expect(preparedCount()).toBe(before + 1);
    expect(await preparedFor({ ...source })).toBe(first);
    // Another version is another entry.
    expect(await preparedFor({ ...source, version: 2 })).not.toBe(first);
  });
});

describe('the editor’s figures', () => {
  it('counts an SMS for a sample customer, with the ad marks when the template is for marketing', async () => {
    const body = '{{ customer.first_name }}님, 봄 세일이 시작됐어요!';
    const info = await validateTemplate({ kind: 'sms', body });
    expect(info.estimate.sms).toEqual({ bytes: 29, type: 'SMS', unencodable: [] });
    const ad = await validateTemplate({ kind: 'sms', body }, { purpose: 'marketing', senderName: '라온샵', optOutNumber: '080-123-4567' });
    // (광고)라온샵\n = 13 bytes, \n무료수신거부 080-123-4567 = 26
    expect(ad.estimate.sms?.bytes).toBe(29 + 13 + 26);
    expect(ad.ok && ad.warnings).toEqual([]);
  });

  it('refuses a text message over 2,000 bytes and an LMS title over 40 bytes', async () => {
    const r = await validateTemplate({ kind: 'sms', subject: '가'.repeat(21), body: `${'가'.repeat(1000)}a` });
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['body', 'subject']);
    expect(r.estimate.sms).toMatchObject({ bytes: 2001, type: null, titleBytes: 42 });
  });

  it('reports characters a text message cannot carry', async () => {
    const r = await validateTemplate({ kind: 'sms', body: '세일 🎉' });
    expect(r.ok && r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('🎉 cannot be sent')]);
  });

  it('Kakao: AlimTalk needs a template code and cannot advertise; buttons are checked', async () => {
    expect(fields(await validateTemplate({ kind: 'kakao', body: 'x', options: { type: 'alimtalk' } }))).toEqual(['options.templateCode']);
    expect(fields(await validateTemplate({ kind: 'kakao', body: 'x', options: { type: 'alimtalk', templateCode: 'T1' } }, { purpose: 'marketing' }))).toEqual(['options.type']);
    expect(fields(await validateTemplate({ kind: 'kakao', body: 'x', options: { type: 'friendtalk', buttons: [{ name: 'go', type: 'WL' }, { name: 'x', type: 'ZZ' }] } }))).toEqual([
      'options.buttons[0].linkMo',
      'options.buttons[1].type',
    ]);
    expect(fields(await validateTemplate({ kind: 'kakao', body: 'x', options: { type: 'friendtalk', buttons: [{ name: '{{ customer.nmae }}', type: 'BK' }] } }))).toEqual(['options.buttons[0].name']);
  });
});
