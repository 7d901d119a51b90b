// What may be written to a log or an error column: no query parameters (a failed query's values
// are customers' e-mails and phones), no search terms or query strings of request URLs, and no
// e-mail address or phone number left in a message (the detector of src/customers/personal-data.ts).
import { eraseText } from './customers/personal-data.ts';

/** An error's text without the values of its query: `params: a,b` becomes `params: 2 values`. */
export function redactErrorText(text: string, paramCount?: number): string {
  const cut = text.replace(/\nparams: [\s\S]*?(?=\n    at |$)/, () => `\nparams: ${paramCount ?? 'some'} values (not logged)`);
  return eraseText(cut);
}

const countOf = (params: unknown): number | undefined => (Array.isArray(params) ? params.length : undefined);

/**
 * An error as a log may hold it: type, code, message and stack with the query parameters counted
 * instead of listed, and personal data erased; the same for its causes. Replaces pino's `err`
 * serializer, which copies every own property (`params`, a PostgreSQL error's `detail`).
 */
function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export type SafeError = { [key: string]: unknown; type: string; message: string; stack: string };

export function safeError(err: unknown, depth = 0): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: redactErrorText(typeof err === 'string' ? err : describe(err)), stack: '' };
  const e = err as Error & { code?: unknown; params?: unknown; parameters?: unknown; query?: unknown; statusCode?: unknown; detail?: unknown; cause?: unknown };
  const paramCount = countOf(e.params) ?? countOf(e.parameters);
  const out: SafeError = { type: e.name, message: redactErrorText(e.message, paramCount), stack: redactErrorText(e.stack ?? '', paramCount) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (typeof e.query === 'string') out.query = eraseText(e.query);
  if (paramCount !== undefined) out.paramCount = paramCount;
  if (typeof e.detail === 'string') out.detail = eraseText(e.detail.replace(/=\(.*\)/s, '=(…)'));
  if (e.cause !== undefined && depth < 5) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/** A request as a log may hold it: the path, never the query string (search terms, tokens). */
export function safeRequest(req: { method?: string; url?: string; hostname?: string; host?: string; ip?: string; socket?: { remotePort?: number } }): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const params = q === -1 ? 0 : new URLSearchParams(url.slice(q + 1)).size;
  return {
    method: req.method,
    url: eraseText(q === -1 ? url : `${url.slice(0, q)}?(${params} parameters)`),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
