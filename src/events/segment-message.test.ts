// Unit tests of reading Segment request bodies and messages (no database).
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { correctedTimestamp, MAX_DEPTH, parseSegmentBody, readMessages, requestShape } from './segment-message.ts';

const receivedAt = new Date('2024-05-01T12:00:00.000Z');
const read = (messages: unknown[], extra: Partial<Parameters<typeof readMessages>[1]> = {}) => readMessages(messages, { receivedAt, ...extra });

function bodyError(raw: Buffer): string {
  try {
    parseSegmentBody(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_input');
    return (err as AppError).message;
  }
  throw new Error('expected a 400');
}

describe('parseSegmentBody', () => {
  it('reads a JSON object whatever it was sent as', () => {
    expect(parseSegmentBody(Buffer.from('{"batch":[{"type":"track"}]}'))).toEqual({ batch: [{ type: 'track' }] });
  });

  it.each([
    ['empty', Buffer.alloc(0), 'body: is empty'],
    ['not JSON', Buffer.from('{"batch": ['), 'body: is not valid JSON'],
    ['an array', Buffer.from('[1,2]'), 'body: must be a JSON object, not an array'],
    ['a string', Buffer.from('"hi"'), 'body: must be a JSON object, not a string'],
    ['null', Buffer.from('null'), 'body: must be a JSON object, not null'],
    ['bad UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'body: is not valid UTF-8'],
    ['a lone continuation byte', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0x80]), Buffer.from('"}')]), 'body: is not valid UTF-8'],
    ['too deep', Buffer.from(`{"a":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`), `body: nests deeper than ${MAX_DEPTH} levels`],
    ['very deep', Buffer.from(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'body: nests deeper'],
    ['over 500 KB', Buffer.from(`{"a":"${'x'.repeat(520_000)}"}`), 'body: the request is 520,008 bytes; the limit is 500 KB'],
  ])('refuses a body that is %s', (_what, raw, message) => {
    expect(bodyError(raw)).toContain(message);
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_DEPTH - 1; // the body object is level 1
    expect(() => parseSegmentBody(Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`))).not.toThrow();
  });
});

describe('requestShape', () => {
  it('takes batch, context, sentAt and writeKey of a batch', () => {
    const shape = requestShape({ batch: [{}], context: { library: { name: 'x' } }, sentAt: '2024-05-01T11:59:59.000Z', writeKey: ' wk_a ' }, { batch: true });
    expect(shape).toMatchObject({ messages: [{}], context: { library: { name: 'x' } }, writeKey: 'wk_a', single: false });
    expect(shape.sentAt?.toISOString()).toBe('2024-05-01T11:59:59.000Z');
  });
  it('treats a single call as its own message', () => {
    const body = { event: 'Signed Up', userId: 'u1', writeKey: 'wk_b' };
    expect(requestShape(body, { batch: false })).toMatchObject({ messages: [body], writeKey: 'wk_b', single: true });
  });
  it.each([
    [{}, 'body.batch: must be an array of messages'],
    [{ batch: {} }, 'body.batch: must be an array of messages'],
    [{ batch: [] }, 'body.batch: is empty'],
    [{ batch: [{}], context: 'x' }, 'body.context: must be an object'],
    [{ batch: [{}], sentAt: 'yesterday' }, 'body.sentAt: must be an ISO 8601 date-time'],
  ])('refuses %j', (body, message) => {
    expect(() => requestShape(body, { batch: true })).toThrow(message);
  });
});

describe('readMessages', () => {
  it('normalises a track call', () => {
    const { messages, errors } = read([
      {
        type: 'track',
        messageId: 'm-1',
        userId: ' u1 ',
        anonymousId: 42,
        event: 'Product Viewed',
        properties: { sku: 'A-1', price: 10 },
        context: { sessionId: 's-9', page: { path: '/p/1' } },
        integrations: { All: true },
        timestamp: '2024-05-01T11:00:00.000Z',
      },
    ]);
    expect(errors).toEqual([]);
    expect(messages[0]).toMatchObject({
      index: 0,
      messageId: 'm-1',
      generatedId: false,
      type: 'track',
      userId: 'u1',
      anonymousId: '42',
      name: 'Product Viewed',
      sessionId: 's-9',
      properties: { sku: 'A-1', price: 10 },
      context: { sessionId: 's-9', page: { path: '/p/1' } },
    });
    expect(messages[0]!.timestamp.toISOString()).toBe('2024-05-01T11:00:00.000Z');
  });

  it('generates a messageId when none is given', () => {
    const { messages } = read([{ type: 'page', anonymousId: 'a' }]);
    expect(messages[0]!.generatedId).toBe(true);
    expect(messages[0]!.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('merges the batch context into each message, the message keys winning', () => {
    const { messages } = read([{ type: 'page', anonymousId: 'a', context: { locale: 'ko-KR' } }], { context: { locale: 'en-US', library: { name: 'lib' } } });
    expect(messages[0]!.context).toEqual({ locale: 'ko-KR', library: { name: 'lib' } });
  });

  it('corrects clock skew with sentAt, from the message or the batch', () => {
    // The sender's clock is an hour slow: it says it sent at 11:00:05 an event of 11:00:00.
    const own = read([{ type: 'track', event: 'x', userId: 'u', timestamp: '2024-05-01T11:00:00.000Z', sentAt: '2024-05-01T11:00:05.000Z' }]);
    expect(own.messages[0]!.timestamp.toISOString()).toBe('2024-05-01T11:59:55.000Z');
    const batch = read([{ type: 'track', event: 'x', userId: 'u', timestamp: '2024-05-01T11:00:00.000Z' }], { sentAt: new Date('2024-05-01T11:00:02.000Z') });
    expect(batch.messages[0]!.timestamp.toISOString()).toBe('2024-05-01T11:59:58.000Z');
  });

  it('uses the time of receipt without a timestamp, else originalTimestamp', () => {
    expect(read([{ type: 'track', event: 'x', userId: 'u' }]).messages[0]!.timestamp).toEqual(receivedAt);
    const original = read([{ type: 'track', event: 'x', userId: 'u', originalTimestamp: '2024-04-30T10:00:00Z' }]);
    expect(original.messages[0]!.timestamp.toISOString()).toBe('2024-04-30T10:00:00.000Z');
  });

  it('takes the session from context.sessionId, else properties.session_id', () => {
    const { messages } = read([
      { type: 'track', event: 'x', userId: 'u', properties: { session_id: 77 } },
      { type: 'track', event: 'x', userId: 'u' },
    ]);
    expect(messages.map((m) => m.sessionId)).toEqual(['77', null]);
  });

  it('stores identify traits (with context.traits) and group traits as properties', () => {
    const { messages } = read([
      { type: 'identify', userId: 'u', traits: { email: 'a@b.co' }, context: { traits: { plan: 'pro', email: 'old@b.co' } } },
      { type: 'group', userId: 'u', groupId: 'g-1', traits: { name: 'Acme' } },
      { type: 'alias', userId: 'u', previousId: 'anon-1' },
      { type: 'page', anonymousId: 'a', name: 'Home', category: 'Landing' },
    ]);
    expect(messages[0]!.traits).toEqual({ plan: 'pro', email: 'a@b.co' });
    expect(messages[0]!.properties).toEqual({ plan: 'pro', email: 'a@b.co' });
    expect(messages[1]).toMatchObject({ groupId: 'g-1', traits: { name: 'Acme' }, properties: { name: 'Acme', groupId: 'g-1' } });
    expect(messages[2]).toMatchObject({ previousId: 'anon-1', properties: { previousId: 'anon-1' } });
    expect(messages[3]).toMatchObject({ name: 'Home', properties: { category: 'Landing' } });
  });

  it('takes the type from the path of a single call', () => {
    const { messages } = read([{ type: 'page', event: 'Clicked', userId: 'u' }], { type: 'track', pathOf: () => 'body' });
    expect(messages[0]!.type).toBe('track');
  });

  it.each([
    [42, 'batch[0]: must be an object'],
    [{ userId: 'u' }, 'batch[0].type: is required'],
    [{ type: 'purchase', userId: 'u' }, 'batch[0].type: must be one of track, identify, page, screen, group, alias'],
    [{ type: 'track', userId: 'u' }, 'batch[0].event: required for a track call'],
    [{ type: 'track', event: 'x' }, 'batch[0]: needs a userId or an anonymousId'],
    [{ type: 'track', event: 'x', userId: '   ' }, 'batch[0]: needs a userId or an anonymousId'],
    [{ type: 'track', event: 'x', userId: { id: 1 } }, 'batch[0].userId: must be a string'],
    [{ type: 'track', event: 'x', userId: 'u'.repeat(321) }, 'batch[0].userId: must be at most 320 characters'],
    [{ type: 'track', event: 7, userId: 'u' }, 'batch[0].event: must be a string'],
    [{ type: 'track', event: 'x', userId: 'u', properties: [1] }, 'batch[0].properties: must be an object'],
    [{ type: 'track', event: 'x', userId: 'u', context: 'web' }, 'batch[0].context: must be an object'],
    [{ type: 'track', event: 'x', userId: 'u', integrations: 1 }, 'batch[0].integrations: must be an object'],
    [{ type: 'track', event: 'x', userId: 'u', timestamp: 'yesterday' }, 'batch[0].timestamp: must be an ISO 8601 date-time'],
    [{ type: 'track', event: 'x', userId: 'u', timestamp: '2024-02-31T00:00:00Z' }, 'batch[0].timestamp: "2024-02-31T00:00:00Z" is not a real date'],
    [{ type: 'track', event: 'x', userId: 'u', timestamp: '0000-01-01 00:00:00+00' }, 'batch[0].timestamp: "0000-01-01 00:00:00+00" is not a real date'],
    [{ type: 'track', event: 'x', userId: 'u', originalTimestamp: '+099999-01-01T00:00:00Z' }, 'batch[0].originalTimestamp: must be an ISO 8601 date-time'],
    [{ type: 'track', event: 'x', userId: 'u', timestamp: '2031-01-01T00:00:00Z' }, 'batch[0].timestamp: 2031-01-01T00:00:00.000Z is more than a day in the future'],
    [{ type: 'track', event: 'x', userId: 'u', timestamp: '1969-12-31T00:00:00Z' }, 'batch[0].timestamp: 1969-12-31T00:00:00.000Z is before 1970'],
    [{ type: 'identify', userId: 'u', traits: 'x' }, 'batch[0].traits: must be an object'],
    [{ type: 'group', userId: 'u' }, 'batch[0].groupId: required for a group call'],
    [{ type: 'alias', userId: 'u' }, 'batch[0].previousId: required for an alias call'],
    [{ type: 'alias', previousId: 'p', anonymousId: 'a' }, 'batch[0].userId: required for an alias call'],
    [{ type: 'track', event: 'x', userId: 'u', properties: { note: 'a\u0000b' } }, 'batch[0].properties.note: contains a NUL character'],
    [{ type: 'track', event: 'x', userId: 'u', properties: { list: ['ok', '\uD800'] } }, 'batch[0].properties.list[1]: contains a NUL character or an unpaired surrogate'],
    [{ type: 'track', event: 'x', userId: 'u', context: { ['k\uDC00']: 1 } }, 'batch[0].context: a key contains'],
    [{ type: 'track', event: 'x\u0000', userId: 'u' }, 'batch[0]: an id or name contains a NUL character'],
    [{ type: 'track', event: 'Segment Entered', userId: 'u', context: { library: { name: 'rapport' } } }, 'batch[0].context.library.name: "rapport" is reserved'],
  ])('reports %j', (message, error) => {
    const { messages, errors } = read([message]);
    expect(messages).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.index).toBe(0);
    expect(errors[0]!.message).toContain(error);
  });

  it('keeps a whole surrogate pair (emoji) and Korean text', () => {
    const { messages, errors } = read([{ type: 'track', event: '장바구니 담기 🛒', userId: 'u', properties: { note: '좋아요 👍' } }]);
    expect(errors).toEqual([]);
    expect(messages[0]!.name).toBe('장바구니 담기 🛒');
  });

  it('refuses an event over 32 KB by its size, keeping the others', () => {
    const big = { type: 'track', event: 'x', userId: 'u', properties: { blob: 'x'.repeat(40_000) } };
    const { messages, errors } = read([{ type: 'track', event: 'ok', userId: 'u' }, big]);
    expect(messages.map((m) => m.index)).toEqual([0]);
    expect(errors).toEqual([{ index: 1, message: 'batch[1]: event is 40,066 bytes; the limit is 32 KB' }]);
  });
});

describe('correctedTimestamp', () => {
  it('is the time of receipt minus the delay the sender measured', () => {
    const t = correctedTimestamp({ timestamp: new Date(1000), sentAt: new Date(4000), receivedAt: new Date(10_000) });
    expect(t.getTime()).toBe(7000);
  });
});
