// HTTP routes of what is kept about one customer (see docs/customers.md): consent and unsubscribing
// (with the public one-click unsubscribe page), preferences, notes, the timeline, and the privacy
// requests (erase, export). Thin: parse, call, format.
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { getConsentHistory, getConsents, setConsents, unsubscribe, unsubscribeToken, verifyUnsubscribeToken } from './consents.ts';
import { requireCustomerRow, getCustomerRow } from './customers.ts';
import { ConsentsSchema, CustomerExportSchema, EraseResultSchema, NoteListSchema, NoteSchema, OkSchema, PreferenceListSchema, TimelineSchema, UnsubscribeLinkSchema } from './contract.ts';
import { CHANNELS, PREFERENCE_SOURCES } from './fields.ts';
import { addNote, deleteNote, listNotes } from './notes.ts';
import { listPreferences, replacePreferences } from './preferences.ts';
import { eraseCustomer, exportCustomerData } from './privacy.ts';
import { ConsentBody, IdParams, literals, piiOf, PreferenceBody, Uuid } from './route-parts.ts';
import { customerTimeline } from './timeline.ts';

export async function registerCustomerRecordRoutes(app: App, { database, config }: AppDeps) {
  const { db } = database;
  const tags = ['customers'];

  // --- consent -------------------------------------------------------------------------
  app.get('/api/customers/:id/consents', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Consent per channel and purpose, with its history', params: IdParams, response: { 200: ConsentsSchema } } }, async (request) => {
    const c = caller(request);
    await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    const ref = { workspaceId: c.workspaceId, customerId: request.params.id };
    return { current: await getConsents(db, ref), history: await getConsentHistory(db, ref) };
  });

  app.put(
    '/api/customers/:id/consents',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Record consent decisions',
        params: IdParams,
        body: Type.Object({ consents: Type.Array(ConsentBody, { minItems: 1, maxItems: 16 }) }, { additionalProperties: false }),
        response: { 200: ConsentsSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const ref = { workspaceId: c.workspaceId, customerId: request.params.id };
      await db.transaction(async (tx) => {
        await requireCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id });
        await setConsents(tx, { ...ref, actor: c.actor, consents: request.body.consents.map((x) => ({ ...x, source: x.source ?? (c.actor.type === 'user' ? 'staff' : 'api') })) });
      });
      return { current: await getConsents(db, ref), history: await getConsentHistory(db, ref) };
    },
  );

  app.get(
    '/api/customers/:id/unsubscribe-link',
    {
      // Only who may send messages needs one (a link unsubscribes whoever follows it).
      config: { auth: 'messaging.write' },
      schema: {
        tags,
        summary: 'A one-click unsubscribe link for messages',
        params: IdParams,
        querystring: Type.Object({ channel: literals(CHANNELS) }, { additionalProperties: false }),
        response: { 200: UnsubscribeLinkSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      const token = await unsubscribeToken(db, { workspaceId: c.workspaceId, customerId: request.params.id, channel: request.query.channel });
      // From the configured address, never from Host/X-Forwarded-Host, which a caller chooses.
      return { token, url: `${config.publicUrl ?? ''}/u/${token}` };
    },
  );

  // --- preferences ---------------------------------------------------------------------
  app.get('/api/customers/:id/preferences', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Stated and inferred preferences', params: IdParams, response: { 200: PreferenceListSchema } } }, async (request) => {
    const c = caller(request);
    await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    return { items: await listPreferences(db, { workspaceId: c.workspaceId, customerId: request.params.id }) };
  });

  app.put(
    '/api/customers/:id/preferences',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: "Replace one source's preferences",
        params: IdParams,
        body: Type.Object({ source: literals(PREFERENCE_SOURCES), preferences: Type.Array(PreferenceBody, { maxItems: 100 }) }, { additionalProperties: false }),
        response: { 200: PreferenceListSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const ref = { workspaceId: c.workspaceId, customerId: request.params.id };
      await db.transaction(async (tx) => {
        await requireCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id });
        await replacePreferences(tx, { ...ref, source: request.body.source, preferences: request.body.preferences });
          await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'customer.preferences', entityType: 'customer', entityId: request.params.id, after: { [request.body.source]: request.body.preferences } });
      });
      return { items: await listPreferences(db, ref) };
    },
  );

  // --- notes ---------------------------------------------------------------------------
  app.get('/api/customers/:id/notes', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Notes on a customer', params: IdParams, response: { 200: NoteListSchema } } }, async (request) => {
    const c = caller(request);
    await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    return { items: await listNotes(db, { workspaceId: c.workspaceId, customerId: request.params.id }) };
  });

  app.post(
    '/api/customers/:id/notes',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Add a note', params: IdParams, body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }), response: { 201: NoteSchema } } },
    async (request, reply) => {
      const c = caller(request);
      const note = await db.transaction(async (tx) => {
        await requireCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id });
        return addNote(tx, { workspaceId: c.workspaceId, customerId: request.params.id, actor: c.actor, body: request.body.body });
      });
      return reply.status(201).send(note);
    },
  );

  app.delete(
    '/api/customers/:id/notes/:noteId',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Delete a note', params: Type.Object({ id: Uuid, noteId: Uuid }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => deleteNote(tx, { workspaceId: c.workspaceId, customerId: request.params.id, noteId: request.params.noteId, actor: c.actor }));
      return { ok: true };
    },
  );

  // --- timeline and privacy -------------------------------------------------------------
  app.get(
    '/api/customers/:id/timeline',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'Everything that happened with the customer, newest first',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), cursor: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: TimelineSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const row = await getCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id, includeDeleted: true });
      if (!row || row.mergedIntoId) throw new AppError('not_found', `customer ${request.params.id} not found`);
      return customerTimeline(db, { workspaceId: c.workspaceId, customerId: request.params.id, limit: request.query.limit ?? 50, cursor: request.query.cursor, pii: piiOf(request) });
    },
  );

  app.post('/api/customers/:id/erase', { config: { auth: 'customers.erase' }, schema: { tags, summary: 'Privacy erase: remove all personal data of the customer', params: IdParams, response: { 200: EraseResultSchema } } }, async (request) => {
    const c = caller(request);
    await db.transaction((tx) => eraseCustomer(tx, { workspaceId: c.workspaceId, actor: c.actor, customerId: request.params.id }));
    return { erased: true };
  });

  app.get('/api/customers/:id/export', { config: { auth: 'pii.read' }, schema: { tags, summary: 'Everything held about the customer (access request), as JSON', params: IdParams, response: { 200: CustomerExportSchema } } }, async (request, reply) => {
    const c = caller(request);
    const data = await exportCustomerData(db, { workspaceId: c.workspaceId, customerId: request.params.id });
    return reply.header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`).send(data);
  });

  // --- one-click unsubscribe (public: the signed token is the permission) ------------------
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) });
    scope.get('/u/:token', { config: { auth: 'public' }, schema: { hide: true, params: TokenParams } }, async (request, reply) => {
      let valid = true;
      try {
        await verifyUnsubscribeToken(db, request.params.token);
      } catch {
        valid = false;
      }
      return reply
        .status(valid ? 200 : 404)
        .type('text/html; charset=utf-8')
        .send(unsubscribePage(valid ? 'confirm' : 'invalid', request.params.token));
    });
    scope.post('/u/:token', { config: { auth: 'public' }, schema: { hide: true, params: TokenParams } }, async (request, reply) => {
      await db.transaction((tx) => unsubscribe(tx, request.params.token));
      const wantsHtml = String(request.headers.accept ?? '').includes('text/html');
      return wantsHtml ? reply.type('text/html; charset=utf-8').send(unsubscribePage('done', request.params.token)) : { unsubscribed: true };
    });
  });
}

function unsubscribePage(state: 'confirm' | 'done' | 'invalid', token: string): string {
  const body =
    state === 'confirm'
      ? `<p>수신을 거부하시겠습니까? Unsubscribe from these messages?</p><form method="post" action="/u/${encodeURIComponent(token)}"><button type="submit">수신 거부 · Unsubscribe</button></form>`
      : state === 'done'
        ? '<p>수신 거부가 완료되었습니다. You are unsubscribed.</p>'
        : '<p>유효하지 않은 링크입니다. This unsubscribe link is not valid.</p>';
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Unsubscribe</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}</body></html>`;
}