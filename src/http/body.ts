// Request bodies before any route reads them. Compressed bodies (Content-Encoding gzip, deflate,
// br: what analytics SDKs send) are decompressed, and the route's size limit counts what comes
// out, so a zip bomb gets a 413 rather than the server's memory. JSON strings that PostgreSQL
// cannot store (a NUL character, a lone UTF-16 surrogate) are refused with a 400 naming the field
// (on /v1, message by message, where messages are read).
import { Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { App } from './deps.ts';

/** Thrown inside a body stream: Fastify passes a statusCode of 400 or more on as it is. */
function streamError(code: 'invalid_input' | 'payload_too_large', message: string): AppError & { statusCode: number } {
  return Object.assign(new AppError(code, message), { statusCode: code === 'payload_too_large' ? 413 : 400 });
}

const ENCODINGS = ['gzip', 'x-gzip', 'deflate', 'br'] as const;
type Encoding = (typeof ENCODINGS)[number];

function decoderFor(encoding: Encoding, firstByte: number | undefined): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress {
  if (encoding === 'br') return zlib.createBrotliDecompress();
  if (encoding === 'deflate') {
    // "deflate" means zlib-wrapped data, but some clients send raw deflate under that name: a
    // zlib stream starts with a byte whose low four bits are 8.
    return firstByte !== undefined && (firstByte & 0x0f) === 8 ? zlib.createInflate() : zlib.createInflateRaw();
  }
  return zlib.createGunzip();
}

/** The encodings of a Content-Encoding header, identity left out; a 400 for any Rapport cannot read. */
export function contentEncodings(header: string | string[] | undefined): Encoding[] {
  if (header === undefined) return [];
  const all = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  for (const e of all) {
    if (!(ENCODINGS as readonly string[]).includes(e)) throw new AppError('invalid_input', `Content-Encoding: "${e}" is not supported; send gzip, deflate, br or no encoding`);
  }
  if (all.length > 1) throw new AppError('invalid_input', `Content-Encoding: one encoding at a time, got "${all.join(', ')}"`);
  return all as Encoding[];
}

/**
 * The body stream decompressed, counting both sides: `receivedEncodedLength` (what Fastify
 * checks Content-Length against) and the decompressed bytes, which stop at `limit`. What the
 * decoder makes is held only up to the limit, whatever the ratio of the compression.
 */
export function decompress(payload: Readable, encoding: Encoding, limit: number): Readable {
  const name = encoding === 'x-gzip' ? 'gzip' : encoding;
  let decoded = 0;
  let inner: ReturnType<typeof decoderFor> | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      out.receivedEncodedLength += chunk.length;
      if (!inner) {
        // The decoder is chosen on the first byte (deflate: zlib-wrapped or raw).
        const decoder = decoderFor(encoding, chunk[0]);
        inner = decoder;
        decoder.on('data', (d: Buffer) => {
          decoded += d.length;
          if (decoded > limit) {
            decoder.destroy();
            out.destroy(streamError('payload_too_large', `body: larger than ${limit.toLocaleString('en-US')} bytes once decompressed (${name})`));
            return;
          }
          out.push(d);
        });
        decoder.on('error', () => out.destroy(streamError('invalid_input', `Content-Encoding: the body is not valid ${name} data`)));
      }
      if (inner.write(chunk)) callback();
      else inner.once('drain', () => callback());
    },
    flush(callback) {
      if (!inner) return callback(streamError('invalid_input', `Content-Encoding: ${name} was given but the body is empty`));
      inner.once('end', () => callback());
      inner.end();
    },
  }) as Transform & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  out.on('close', () => inner?.destroy());
  out.on('error', () => undefined); // Fastify listens when it reads the body; an unread body must not crash the process
  payload.on('error', (err) => out.destroy(err));
  payload.pipe(out);
  return out;
}

/** preParsing: compressed bodies decompressed within the route's body limit. */
export function decompressBody(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (err: Error | null, body?: Readable) => void): void {
  let encodings: Encoding[];
  try {
    encodings = contentEncodings(request.headers['content-encoding']);
  } catch (err) {
    return done(err as Error);
  }
  if (encodings.length === 0) return done(null, payload);
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    // Multipart uploads are read from the socket by @fastify/multipart, past this hook.
    return done(new AppError('invalid_input', 'Content-Encoding: not supported for multipart uploads; send the file uncompressed'));
  }
  const limit = request.routeOptions.bodyLimit ?? 1024 * 1024;
  done(null, decompress(payload, encodings[0]!, limit));
}

// A NUL anywhere, or a high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(text: string): string {
  return text.includes('\u0000') ? 'contains a NUL character (\\u0000), which cannot be stored' : 'contains a lone UTF-16 surrogate (invalid Unicode), which cannot be stored';
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const keyPath = (path: string, key: string) => (IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.replace(UNSTORABLE, '?'))}]`);

/**
 * The first string (or key) of a parsed JSON value that PostgreSQL would refuse, as
 * `body.batch[0].properties.name: contains a NUL character…`, or null. Iterative, so that no
 * nesting depth can overflow the stack.
 */
export function findUnstorable(value: unknown, root = 'body'): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return `${path}: ${describe(v)}`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        if (UNSTORABLE.test(k)) return `${keyPath(path, k)}: the key ${describe(k)}`;
        stack.push([(v as Record<string, unknown>)[k], keyPath(path, k)]);
      }
    }
  }
  return null;
}

/**
 * preValidation: a parsed JSON body with a string PostgreSQL cannot store is a 400 naming the
 * field. Not on /v1, which refuses such a message alone and keeps the rest of the batch
 * (src/events/segment-message.ts).
 */
export async function refuseUnstorableStrings(request: FastifyRequest): Promise<void> {
  if (request.url.startsWith('/v1/')) return;
  const body = request.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return;
  const problem = findUnstorable(body);
  if (problem) throw new AppError('invalid_input', problem);
}

/** Registers both on the app; before the routes, so that every route has them. */
export function registerBodyHandling(app: App): void {
  app.addHook('preParsing', decompressBody);
  app.addHook('preValidation', refuseUnstorableStrings);
}
