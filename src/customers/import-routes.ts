// HTTP routes of customer import (CSV upload, mapping, progress, rejected rows) and of the
// customer list export as CSV. Thin: parse, call src/customers/import/, format.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { stringify } from 'csv-stringify/sync';
import { Type } from 'typebox';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { createUploadFile, ensureUploadDir } from '../uploads.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { can } from '../workspaces/roles.ts';
import { listAttributeDefs } from './attributes.ts';
import { csvAnswer, ImportErrorPageSchema, ImportListSchema, ImportSchema, UploadedImportSchema } from './contract.ts';
import { exportColumns, openCustomerExport } from './import/export.ts';
import { createImport, createImportRunner, getImport, IMPORT_MATCH_BY, listImportErrors, listImports, markImportRunning, type ImportMatchBy } from './import/imports.ts';
import { inspectCsv } from './import/inspect.ts';
import { checkMapping, type Mapping } from './import/mapping.ts';
import { DEFAULT_BATCH_SIZE } from './import/run.ts';
import { ListQuery, parseListQuery } from './routes.ts';

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const MatchBySchema = Type.Union(IMPORT_MATCH_BY.map((m) => Type.Literal(m)));
const ENCODING_CHOICES = { auto: 'auto', 'utf-8': 'utf-8', utf8: 'utf-8', cp949: 'cp949', 'euc-kr': 'cp949', euckr: 'cp949' } as const;

const { limit: _limit, cursor: _cursor, ...listProperties } = ListQuery.properties;
const ExportQuery = Type.Object(
  { ...listProperties, columns: Type.Optional(Type.String({ maxLength: 4000, description: 'comma-separated: id, externalId, name, email, …, attributes.<key>' })) },
  { additionalProperties: false },
);

function mappingProblems(mapping: Mapping, headers: string[], defs: Parameters<typeof checkMapping>[2], prefix: string): void {
  const problems = checkMapping(mapping, headers, defs);
  if (problems.length) {
    throw new AppError(
      'invalid_input',
      problems.map((p) => `${prefix}[${JSON.stringify(p.header)}]: ${p.message}`).join('; '),
      problems.map((p) => ({ path: `${prefix}[${JSON.stringify(p.header)}]`, message: p.message })),
    );
  }
}

function parseMappingField(raw: string): Mapping {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('invalid_input', 'body.mapping: is not JSON (expected {"<csv header>": "<target>"})');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new AppError('invalid_input', 'body.mapping: must be a JSON object of {"<csv header>": "<target>"}');
  }
  return value as Mapping;
}

export async function registerImportRoutes(app: App, deps: AppDeps) {
  const { db } = deps.database;
  const tags = ['imports'];
  // PGlite runs one statement at a time: smaller batches keep the API answering during an import.
  const runner = createImportRunner(db, {
    batchSize: deps.database.kind === 'pglite' ? 500 : DEFAULT_BATCH_SIZE,
    onError: (err) => app.log.error({ err }, 'customer import failed'),
  });
  app.addHook('onClose', async () => runner.stop());

  // Multipart only for the upload route.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 1, fields: 10, fieldSize: 1024 * 1024, parts: 20 } });
    scope.post(
      '/api/imports',
      {
        config: { auth: 'customers.write' },
        schema: {
          tags,
          summary: 'Upload a CSV of customers (multipart: file, optional mapping JSON, matchBy, encoding); starts at once when mapping is given',
          consumes: ['multipart/form-data'],
          response: { 201: UploadedImportSchema },
        },
      },
      async (request, reply) => {
        const c = caller(request);
        if (!request.isMultipart()) throw new AppError('invalid_input', 'content-type: send multipart/form-data with the CSV in the field "file"');
        const id = uuidv7();
        const dir = ensureUploadDir(deps.config);
        const filePath = path.join(dir, `${id}.csv`);
        let fileName: string | undefined;
        const fields: Record<string, string> = {};
        let keep = false;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'file' || fileName !== undefined) {
                part.file.resume();
                continue;
              }
              fileName = part.filename || 'customers.csv';
              await pipeline(part.file, createUploadFile(filePath));
            } else {
              fields[part.fieldname] = String(part.value);
            }
          }
          if (fileName === undefined) throw new AppError('invalid_input', 'body.file: is required (the CSV, as the multipart field "file")');

          const encodingRaw = (fields.encoding ?? 'auto').trim().toLowerCase();
          // Own keys only: `constructor` or `__proto__` would find the object's prototype.
          const encoding = Object.hasOwn(ENCODING_CHOICES, encodingRaw) ? ENCODING_CHOICES[encodingRaw as keyof typeof ENCODING_CHOICES] : undefined;
          if (!encoding) throw new AppError('invalid_input', 'body.encoding: must be auto, utf-8 or cp949 (EUC-KR)');
          const matchBy = (fields.matchBy?.trim() || 'auto') as ImportMatchBy;
          if (!IMPORT_MATCH_BY.includes(matchBy)) throw new AppError('invalid_input', `body.matchBy: must be one of ${IMPORT_MATCH_BY.join(', ')}`);
          const mapping = fields.mapping?.trim() ? parseMappingField(fields.mapping) : undefined;

          const defs = await listAttributeDefs(db, { workspaceId: c.workspaceId });
          const inspection = await inspectCsv(filePath, encoding, defs);
          if (mapping) mappingProblems(mapping, inspection.headers, defs, 'body.mapping');
          let record = await createImport(db, {
            workspaceId: c.workspaceId,
            actor: c.actor,
            id,
            fileName: fileName.slice(0, 255),
            filePath,
            fileBytes: inspection.fileBytes,
            encoding: inspection.encoding,
            delimiter: inspection.delimiter,
            headers: inspection.headers,
            matchBy,
          });
          keep = true;
          if (mapping) {
            record = await markImportRunning(db, { workspaceId: c.workspaceId, id, mapping, matchBy });
            runner.start({ workspaceId: c.workspaceId, id, actor: c.actor });
          }
          return reply.status(201).send({
            ...record,
            headers: inspection.headers,
            sample: inspection.sample,
            suggestedMapping: inspection.suggestedMapping,
            encoding: inspection.encoding,
            delimiter: inspection.delimiter,
          });
        } finally {
          if (!keep) await fs.promises.rm(filePath, { force: true });
        }
      },
    );
  });

  app.post(
    '/api/imports/:id/start',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Start an uploaded import with a column mapping',
        params: IdParams,
        body: Type.Object(
          { mapping: Type.Record(Type.String({ maxLength: 500 }), Type.String({ maxLength: 200 })), matchBy: Type.Optional(MatchBySchema) },
          { additionalProperties: false },
        ),
        response: { 200: ImportSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const current = await getImport(db, { workspaceId: c.workspaceId, id: request.params.id });
      if (current.status !== 'uploaded') throw new AppError('conflict', `import ${current.id} is ${current.status}: only an uploaded import can be started`);
      const defs = await listAttributeDefs(db, { workspaceId: c.workspaceId });
      mappingProblems(request.body.mapping, current.headers, defs, 'body.mapping');
      const started = await markImportRunning(db, { workspaceId: c.workspaceId, id: current.id, mapping: request.body.mapping, matchBy: request.body.matchBy });
      runner.start({ workspaceId: c.workspaceId, id: current.id, actor: c.actor });
      return { ...started, errors: [] };
    },
  );

  app.get(
    '/api/imports',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Recent imports (50)', response: { 200: ImportListSchema } } },
    async (request) => ({ items: await listImports(db, { workspaceId: caller(request).workspaceId, limit: 50 }) }),
  );

  app.get(
    '/api/imports/:id',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'An import: status, progress, counts and the first 100 rejected rows', params: IdParams, response: { 200: ImportSchema } } },
    async (request) => getImport(db, { workspaceId: caller(request).workspaceId, id: request.params.id }),
  );

  app.get(
    '/api/imports/:id/errors',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Rejected rows of an import, in line order',
        params: IdParams,
        querystring: Type.Object(
          { cursor: Type.Optional(Type.String({ maxLength: 2000 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: ImportErrorPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      await getImport(db, { workspaceId: c.workspaceId, id: request.params.id });
      return listImportErrors(db, { workspaceId: c.workspaceId, importId: request.params.id, cursor: request.query.cursor, limit: request.query.limit ?? 100 });
    },
  );

  app.get(
    '/api/imports/:id/errors.csv',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Rejected rows of an import as CSV (line, column, message)', params: IdParams, response: { 200: csvAnswer('Rejected rows: line, column, message') } } },
    async (request, reply) => {
      const c = caller(request);
      const imp = await getImport(db, { workspaceId: c.workspaceId, id: request.params.id });
      async function* rows() {
        yield `\uFEFF${stringify([['line', 'column', 'message']], { record_delimiter: 'windows' })}`;
        let cursor: string | undefined;
        do {
          const page = await listImportErrors(db, { workspaceId: c.workspaceId, importId: imp.id, cursor, limit: 5000 });
          if (page.items.length) yield stringify(page.items.map((e) => [String(e.line), e.column ?? '', e.message]), { record_delimiter: 'windows' });
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${imp.id}-errors.csv"`)
        .send(Readable.from(rows()));
    },
  );

  app.get(
    '/api/customers/export',
    {
      config: { auth: 'customers.export' },
      schema: {
        tags: ['customers'],
        summary: 'The filtered customer list as CSV (UTF-8 with BOM), streamed',
        querystring: ExportQuery,
        response: { 200: csvAnswer('The chosen columns of the customers; e-mail and phone masked without pii.read') },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const pii = can(c.role, 'pii.read');
      const { columns: requested, ...query } = request.query;
      const defs = await listAttributeDefs(db, { workspaceId: c.workspaceId });
      const columns = exportColumns(requested, defs);
      const chunks = await openCustomerExport(db, { workspaceId: c.workspaceId, query: parseListQuery(query), defs, pii, columns });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="customers-${day}.csv"`)
        .send(Readable.from(chunks));
    },
  );
}
