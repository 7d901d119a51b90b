// What logs and job errors may hold: no query parameters, no query strings, no personal data.
import { describe, expect, it } from 'vitest';
import { redactErrorText, safeError, safeRequest } from './redaction.ts';

describe('redaction', () => {
  it('counts a failed query’s parameters instead of listing them, and erases e-mails and phones left in messages', () => {
    const err = Object.assign(new Error('Failed query: select $1::int\nparams: carol@example.com,010-1234-5678'), { query: 'select $1::int', params: ['carol@example.com', '010-1234-5678'] });
    const cause = Object.assign(new Error('invalid input syntax for type integer: "carol@example.com"'), { code: '22P02', detail: 'Key (email)=(carol@example.com) already exists.' });
    (err as Error & { cause?: unknown }).cause = cause;
    const safe = safeError(err);
    const text = JSON.stringify(safe);
    expect(text).not.toMatch(/carol|1234-5678/);
    expect(safe).toMatchObject({ type: 'Error', paramCount: 2, query: 'select $1::int', cause: { code: '22P02' } });
    expect(safe.message).toContain('params: 2 values (not logged)');
    expect(redactErrorText('no query here')).toBe('no query here');
  });

  it('logs a request’s path and how many query parameters it had, never their values', () => {
    expect(safeRequest({ method: 'GET', url: '/api/customers?q=carol%40example.com&limit=20', ip: '127.0.0.1' })).toEqual({
      method: 'GET',
      url: '/api/customers?(2 parameters)',
      host: undefined,
      remoteAddress: '127.0.0.1',
      remotePort: undefined,
    });
    expect(safeRequest({ method: 'GET', url: '/api/customers/by/carol@example.com' }).url).toBe('/api/customers/by/[erased]');
  });
});
