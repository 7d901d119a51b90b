import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, query, setCsrfToken, toApiError } from './client.ts';

describe('toApiError', () => {
  it('reads the server error shape', () => {
    const err = toApiError(409, { error: { code: 'conflict', message: 'email: already a member', details: { a: 1 } } });
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message, err.details]).toEqual([409, 'conflict', 'email: already a member', { a: 1 }]);
  });

  it('falls back to the status when the body is not an error', () => {
    expect(toApiError(502, undefined).message).toBe('The server answered 502');
    expect(toApiError(502, undefined).code).toBe('internal');
    expect(toApiError(404, { error: 'nope' }).code).toBe('error');
  });
});

describe('query', () => {
  it('keeps only values that are set', () => {
    expect(query({ limit: 50, cursor: undefined, q: '', x: null })).toBe('?limit=50');
    expect(query({})).toBe('');
    expect(query({ a: 'x y&z' })).toBe('?a=x+y%26z');
  });
});

describe('api', () => {
  type Call = { url: string; init: RequestInit };
  let calls: Call[];
  let reply: () => Response;

  beforeEach(() => {
    calls = [];
    reply = () => new Response(JSON.stringify({ ok: true }), { status: 200 });
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return reply();
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  const headers = (i: number) => calls[i]!.init.headers as Record<string, string>;

  it('sends the CSRF token on writes only, and JSON only with a body', async () => {
    setCsrfToken('tok');
    await api('/api/members');
    await api('/api/members', { method: 'POST', body: { email: 'a@b.c' } });
    await api('/api/auth/logout', { method: 'POST' });
    expect(headers(0)['x-csrf-token']).toBeUndefined();
    expect(headers(1)['x-csrf-token']).toBe('tok');
    expect(headers(1)['content-type']).toBe('application/json');
    expect(calls[1]!.init.body).toBe('{"email":"a@b.c"}');
    expect(headers(2)['content-type']).toBeUndefined();
    expect(calls[2]!.init.body).toBeUndefined();
  });

  it('sends a FormData body as it is, letting fetch choose the multipart type', async () => {
    setCsrfToken('tok');
    const form = new FormData();
    form.set('file', new Blob(['email\na@b.c\n'], { type: 'text/csv' }), 'people.csv');
    await api('/api/imports', { method: 'POST', body: form });
    expect(calls[0]!.init.body).toBe(form);
    expect(headers(0)['content-type']).toBeUndefined();
    expect(headers(0)['x-csrf-token']).toBe('tok');
  });

  it('throws the server error, unless the status is accepted', async () => {
    reply = () => new Response(JSON.stringify({ error: { code: 'forbidden', message: 'no' } }), { status: 403 });
    await expect(api('/api/keys')).rejects.toMatchObject({ status: 403, code: 'forbidden', message: 'no' });
    reply = () => new Response(JSON.stringify({ status: 'unavailable' }), { status: 503 });
    await expect(api('/api/health', { accept: [503] })).resolves.toEqual({ status: 'unavailable' });
  });

  it('reports a network failure as such', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api('/api/me')).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
