// HTTP route of the commerce CSV imports: a file of products or of orders, as multipart (field
// "file") or as the request body itself (text/csv). Runs while the request waits and answers
// with the counts and the rejected rows. Thin: parse, call src/commerce/imports.ts, format.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { uuidv7 } from '../db/uuid.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import { createUploadFile, ensureUploadDir } from '../uploads.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import type { Encoding } from '../customers/import/decode.ts';
import { IMPORT_KINDS } from './import-rows.ts';
import { csvBufferSource, csvFileSource, importCommerceCsv } from './imports.ts';
import { CommerceImportResultSchema } from './contract.ts';

const ENCODING_CHOICES: Record<string, Encoding | undefined> = { 'utf-8': 'utf-8', utf8: 'utf-8', cp949: 'cp949', 'euc-kr': 'cp949', euckr: 'cp949' };
const MAX_BODY = 64 * 1024 * 1024;
const MAX_FILE = 512 * 1024 * 1024;

function encodingOf(raw: string | undefined): Encoding | undefined {
  const v = raw?.trim().toLowerCase();
  if (!v || v === 'auto') return undefined;
  // Own keys only: `constructor` or `__proto__` would find the object's prototype.
  const e = Object.hasOwn(ENCODING_CHOICES, v) ? ENCODING_CHOICES[v] : undefined;
  if (!e) throw new AppError('invalid_input', 'query.encoding: must be auto, utf-8 or cp949 (EUC-KR)');
  return e;
}

export async function registerCommerceImportRoutes(app: App, deps: AppDeps) {
  const { db } = deps.database;
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(multipart, { limits: { fileSize: MAX_FILE, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20 } });
    // A CSV sent as the body itself arrives as bytes: its encoding is detected, not assumed.
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser(['text/csv', 'text/plain', 'application/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/commerce/imports',
      {
        config: { auth: 'commerce.write' },
        bodyLimit: MAX_BODY,
        schema: {
          tags: ['commerce', 'imports'],
          summary: 'Import a CSV of products or of orders (one row per order line); answers with counts and every rejected row by line',
          consumes: ['multipart/form-data', 'text/csv'],
          querystring: Type.Object(
            { kind: Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k))), encoding: Type.Optional(Type.String({ maxLength: 20, description: 'auto (default), utf-8 or cp949' })) },
            { additionalProperties: false },
          ),
          response: { 200: CommerceImportResultSchema },
        },
      },
      async (request) => {
        const c = caller(request);
        const { kind } = request.query;
        const actor = c.actor;
        if (!request.isMultipart()) {
          if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
            throw new AppError('invalid_input', 'body: send the CSV as multipart/form-data (field "file") or as a text/csv body');
          }
          const source = csvBufferSource(request.body, encodingOf(request.query.encoding));
          return importCommerceCsv(db, { workspaceId: c.workspaceId, actor, kind, source, fileName: undefined });
        }
        const dir = ensureUploadDir(deps.config);
        const filePath = path.join(dir, `${uuidv7()}.csv`);
        try {
          let fileName: string | undefined;
          let encodingField: string | undefined;
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'file' || fileName !== undefined) {
                part.file.resume();
                continue;
              }
              fileName = part.filename || `${kind}.csv`;
              await pipeline(part.file, createUploadFile(filePath));
              if (part.file.truncated) throw new AppError('payload_too_large', `body.file: is larger than ${MAX_FILE / 1024 / 1024} MB`);
            } else if (part.fieldname === 'encoding') {
              encodingField = String(part.value);
            }
          }
          if (fileName === undefined) throw new AppError('invalid_input', 'body.file: is required (the CSV, as the multipart field "file")');
          const source = await csvFileSource(filePath, encodingOf(encodingField ?? request.query.encoding));
          return await importCommerceCsv(db, { workspaceId: c.workspaceId, actor, kind, source, fileName: fileName.slice(0, 255) });
        } finally {
          await fs.promises.rm(filePath, { force: true });
        }
      },
    );
  });
}
