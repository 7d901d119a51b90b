// HTTP routes of the segments area. Reading segments and their members needs customers.read
// (PII masked without pii.read; the CSV download also needs customers.export, like every list of
// customers). Defining, uploading and recomputing segments needs messaging.write: segments exist
// to choose whom marketing reaches, and that permission is what marketers (and owners/admins)
// hold; sales and support edit customers but do not choose audiences.
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { can } from '../workspaces/roles.ts';
import { MembersAnswer, NoContent } from './contract.ts';
import { SegmentDefinitionSchema } from './definition.ts';
import { enqueueRecompute } from './jobs.ts';
import { listMembers, membersCsv, previewSegment, segmentOverlap, sizeHistory } from './reports.ts';
import { createSegment, deleteSegment, listSegments, requireSegmentRow, toSegment, updateSegment } from './segments.ts';
import { createStarterSegments } from './starter-segments.ts';
import { uploadStaticMembers } from './upload.ts';

const Uuid = Type.String({ format: 'uuid' });
const Id = Type.Object({ id: Uuid });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]);
// The definition is checked by validateSegmentDefinition, which names the bad node by path; the
// route schema only says it is an object, so that check gives the error.
const Definition = Type.Unsafe<unknown>({ ...Type.Object({}, { additionalProperties: true }), description: SegmentDefinitionSchema.description });
const SegmentView = Type.Object({}, { additionalProperties: true });
const Report = Type.Object({}, { additionalProperties: true });
const MAX_UPLOAD = 50 * 1024 * 1024;

export async function registerSegmentRoutes(app: App, { database, config }: AppDeps) {
  const { db } = database;
  const tags = ['segments'];
  const read = { auth: 'customers.read' as const };
  const write = { auth: 'messaging.write' as const };
  const pii = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

  app.get('/api/segments', { config: read, schema: { tags, summary: 'Segments of the workspace, by name', response: { 200: Type.Object({ segments: Type.Array(SegmentView) }) } } }, async (request) => ({
    segments: await listSegments(db, { workspaceId: caller(request).workspaceId }),
  }));

  app.post(
    '/api/segments',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a dynamic segment (members computed in the background, then kept live) or a static one (members from uploads)',
        body: Type.Object(
          { name: Name, description: Type.Optional(Description), kind: Type.Optional(Type.Union([Type.Literal('dynamic'), Type.Literal('static')])), definition: Type.Optional(Definition) },
          { additionalProperties: false },
        ),
        response: { 201: SegmentView },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const body = request.body;
      const segment = await db.transaction(async (tx) => {
        const s = await createSegment(tx, { workspaceId: c.workspaceId, actor: c.actor, input: { ...body, kind: body.kind ?? 'dynamic' } });
        const job = s.kind === 'dynamic' ? await enqueueRecompute(tx, { workspaceId: c.workspaceId, segmentId: s.id }) : null;
        return { ...s, recomputeJobId: job?.id ?? null };
      });
      return reply.status(201).send(segment);
    },
  );

  app.post(
    '/api/segments/preview',
    {
      config: read,
      schema: {
        tags,
        summary: 'Count and a sample of 20 members of an unsaved definition',
        description:
          'From 200,000 live customers (RAPPORT_PREVIEW_ESTIMATE_FROM) the count is estimated from a fixed 1% customer sample (`estimated: true`, `margin`: its 95% margin, ±); `exact: true` counts every customer instead, which takes seconds at a million.',
        body: Type.Object(
          { definition: Definition, exact: Type.Optional(Type.Boolean({ description: 'Count every customer, not the sample (slower on a large workspace).' })) },
          { additionalProperties: false },
        ),
        response: { 200: Report },
      },
    },
    (request) => previewSegment(db, { workspaceId: caller(request).workspaceId, definition: request.body.definition, pii: pii(request), exact: request.body.exact, estimateFrom: config.previewEstimateFrom }),
  );

  app.post(
    '/api/segments/starters',
    {
      config: write,
      schema: { tags, summary: 'Create the starter segments (VIP, at-risk VIP, dormant, new, abandoned cart, birthday, night-ads consent) that do not exist yet', response: { 200: Report } },
    },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) => createStarterSegments(tx, { workspaceId: c.workspaceId, actor: c.actor }));
    },
  );

  app.get(
    '/api/segments/overlap',
    {
      config: read,
      schema: { tags, summary: 'Sizes of segments A and B and of A ∩ B', querystring: Type.Object({ a: Uuid, b: Uuid }, { additionalProperties: false }), response: { 200: Report } },
    },
    (request) => segmentOverlap(db, { workspaceId: caller(request).workspaceId, a: request.query.a, b: request.query.b }),
  );

  app.get('/api/segments/:id', { config: read, schema: { tags, summary: 'One segment', params: Id, response: { 200: SegmentView } } }, async (request) =>
    toSegment(await requireSegmentRow(db, { workspaceId: caller(request).workspaceId, id: request.params.id })),
  );

  app.patch(
    '/api/segments/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename, describe or redefine a segment (a new definition is recomputed in the background)',
        params: Id,
        body: Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description), definition: Type.Optional(Definition) }, { additionalProperties: false }),
        response: { 200: SegmentView },
      },
    },
    async (request) => {
      const c = caller(request);
      return db.transaction(async (tx) => {
        const { segment, definitionChanged } = await updateSegment(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, patch: request.body });
        const job = definitionChanged ? await enqueueRecompute(tx, { workspaceId: c.workspaceId, segmentId: segment.id }) : null;
        return { ...segment, recomputeJobId: job?.id ?? null };
      });
    },
  );

  app.delete('/api/segments/:id', { config: write, schema: { tags, summary: 'Delete a segment (refused while other segments refer to it)', params: Id, response: { 204: NoContent } } }, async (request, reply) => {
    const c = caller(request);
    await db.transaction((tx) => deleteSegment(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id }));
    return reply.status(204).send();
  });

  app.get(
    '/api/segments/:id/members',
    {
      config: read,
      schema: {
        tags,
        summary: 'Members, a page at a time (nextCursor), or all of them with ?format=csv (needs customers.export)',
        params: Id,
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: MembersAnswer },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      if (request.query.format === 'csv') {
        if (!can(c.role, 'customers.export')) throw new AppError('forbidden', `query.format: csv downloads need the customers.export permission, which the ${c.role} role does not have`);
        // Checked before the stream starts, so a missing segment is a 404 and not a broken download.
        const segment = await requireSegmentRow(db, { workspaceId: c.workspaceId, id: request.params.id });
        const lines = membersCsv(db, { workspaceId: c.workspaceId, segmentId: segment.id, pii: pii(request) });
        const { Readable } = await import('node:stream');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="segment-${segment.id}.csv"`)
          .send(Readable.from(lines));
      }
      return listMembers(db, { workspaceId: c.workspaceId, segmentId: request.params.id, cursor: request.query.cursor, limit: request.query.limit, pii: pii(request) });
    },
  );

  app.get(
    '/api/segments/:id/history',
    {
      config: read,
      schema: {
        tags,
        summary: 'Size over time (snapshots at each full computation and hourly)',
        params: Id,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) }, { additionalProperties: false }),
        response: { 200: Report },
      },
    },
    (request) => sizeHistory(db, { workspaceId: caller(request).workspaceId, segmentId: request.params.id, days: request.query.days }),
  );

  app.post(
    '/api/segments/:id/recompute',
    { config: write, schema: { tags, summary: 'Recompute the segment in the background', params: Id, response: { 202: Type.Object({ jobId: Uuid, deduped: Type.Boolean() }) } } },
    async (request, reply) => {
      const c = caller(request);
      const segment = await requireSegmentRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      if (segment.kind !== 'dynamic') throw new AppError('invalid_input', `segment ${segment.id} is static: its members come from uploads`);
      const job = await enqueueRecompute(db, { workspaceId: c.workspaceId, segmentId: segment.id });
      return reply.status(202).send({ jobId: job.id, deduped: job.deduped });
    },
  );

  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD, files: 1, fields: 5, parts: 10 } });
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser(['text/csv', 'text/plain', 'application/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_UPLOAD }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/segments/:id/upload',
      {
        config: write,
        bodyLimit: MAX_UPLOAD,
        schema: {
          tags,
          summary: "Set a static segment's members from a CSV (email, phone or external_id column); mode replace or append must be given",
          consumes: ['text/csv', 'multipart/form-data'],
          params: Id,
          querystring: Type.Object({ mode: Type.Union([Type.Literal('replace'), Type.Literal('append')]) }, { additionalProperties: false }),
          response: { 200: Report },
        },
      },
      async (request) => {
        const c = caller(request);
        let csv: Buffer | undefined;
        if (request.isMultipart()) {
          const file = await request.file();
          if (!file || file.fieldname !== 'file') throw new AppError('invalid_input', 'body.file: is required (the CSV, as the multipart field "file")');
          csv = await file.toBuffer();
        } else if (Buffer.isBuffer(request.body)) csv = request.body;
        if (!csv || csv.length === 0) throw new AppError('invalid_input', 'body: send the CSV as a text/csv body or as multipart/form-data (field "file")');
        const bytes = csv;
        return db.transaction((tx) => uploadStaticMembers(tx, { workspaceId: c.workspaceId, segmentId: request.params.id, mode: request.query.mode, csv: bytes }));
      },
    );
  });
}
