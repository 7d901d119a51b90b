// HTTP routes of the customers area (see docs/customers.md). Thin: parse, call, format.
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { can } from '../workspaces/roles.ts';
import { getMembershipRole } from '../workspaces/workspaces.ts';
import type { Queryable } from '../db/connection.ts';
import { ATTRIBUTE_PURPOSES, ATTRIBUTE_TYPES, archiveAttributeDef, createAttributeDef, listAttributeDefs, updateAttributeDef } from './attributes.ts';
import { getConsentHistory, getConsents, setConsents, unsubscribe, unsubscribeToken, verifyUnsubscribeToken } from './consents.ts';
import { notifyCustomersChanged } from './links.ts';
import { createCustomer, requireCustomerRow, rowError, getCustomerRow, toCustomer, updateCustomer, upsertCustomers, type CustomerRow } from './customers.ts';
import {
  AttributeDefListSchema,
  AttributeDefSchema,
  BulkResultSchema,
  ConsentsSchema,
  CustomerDetailSchema,
  CustomerExportSchema,
  CustomerPageSchema,
  DuplicateListSchema,
  EraseResultSchema,
  IdentifyResultSchema,
  IdentityListSchema,
  IdentitySchema,
  MergeListSchema,
  MergeResultSchema,
  NoteListSchema,
  NoteSchema,
  OkSchema,
  PreferenceListSchema,
  TimelineSchema,
  UndoMergeSchema,
  UnsubscribeLinkSchema,
  ViewListSchema,
  ViewSchema,
} from './contract.ts';
import { dismissDuplicate, findDuplicates } from './duplicates.ts';
import { CHANNELS, CONSENT_STATUSES, IDENTITY_KINDS, LIFECYCLE_STAGES, maskEmail, maskPhone, PREFERENCE_SOURCES, PURPOSES } from './fields.ts';
import { addIdentity, identify, listIdentities, removeIdentity, type Identity } from './identities.ts';
import { FILTER_OPS, queryCustomers, SORT_FIELDS, type CustomerQuery, type FieldFilter } from './list.ts';
import { listMerges, mergeCustomers, undoMerge } from './merge.ts';
import { addNote, deleteNote, listNotes } from './notes.ts';
import { listPreferences, replacePreferences } from './preferences.ts';
import { eraseCustomer, exportCustomerData } from './privacy.ts';
import { PROFILE_FIELDS } from './profile-input.ts';
import { customerTimeline } from './timeline.ts';
import { createView, deleteView, listViews } from './views.ts';

const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const ConsentBody = Type.Object(
  { channel: literals(CHANNELS), purpose: literals(PURPOSES), status: literals(CONSENT_STATUSES), source: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
const PreferenceBody = Type.Object({ category: Type.String({ minLength: 1, maxLength: 100 }), weight: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false });

const customerFields = {
  externalId: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
  email: Type.Optional(nullable(Type.String({ maxLength: 320 }))),
  phone: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
  name: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
  locale: Type.Optional(nullable(Type.String({ maxLength: 35 }))),
  timeZone: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
  birthday: Type.Optional(nullable(Type.String({ maxLength: 10 }))),
  gender: Type.Optional(Type.Union([Type.Literal('F'), Type.Literal('M'), Type.Literal('X'), Type.Null()])),
  signedUpAt: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
  lifecycleStage: Type.Optional(Type.Union([literals(LIFECYCLE_STAGES), Type.Null()])),
  ownerUserId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  tags: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }), Type.Null()])),
  source: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
  attributes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
};
const CustomerBody = Type.Object(
  { ...customerFields, consents: Type.Optional(Type.Array(ConsentBody, { maxItems: 16 })), preferences: Type.Optional(Type.Array(PreferenceBody, { maxItems: 100 })) },
  { additionalProperties: false },
);
const PatchBody = Type.Object(customerFields, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    stage: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
    tag: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    createdFrom: Type.Optional(Type.String({ maxLength: 40 })),
    createdTo: Type.Optional(Type.String({ maxLength: 40 })),
    filter: Type.Optional(Type.String({ maxLength: 10_000, description: 'JSON array of {field, op, value}' })),
    sort: Type.Optional(Type.String({ maxLength: 40, description: `${SORT_FIELDS.join(', ')}; prefix - for descending` })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    deleted: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ListQueryParams = Static<typeof ListQuery>;

/** The list query of `GET /api/customers` (and its CSV export) as the core takes it. */
export function parseListQuery(q: Omit<ListQueryParams, 'limit' | 'cursor'>): CustomerQuery {
  let filters: FieldFilter[] | undefined;
  if (q.filter) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(q.filter);
    } catch {
      throw new AppError('invalid_input', 'query.filter: is not JSON (expected [{"field","op","value"}])');
    }
    if (!Array.isArray(parsed)) throw new AppError('invalid_input', 'query.filter: must be a JSON array of {"field","op","value"}');
    filters = parsed.map((f: unknown, i) => {
      if (!f || typeof f !== 'object' || typeof (f as FieldFilter).field !== 'string' || typeof (f as FieldFilter).op !== 'string') {
        throw new AppError('invalid_input', `query.filter[${i}]: must be {"field","op","value"} with op one of ${FILTER_OPS.join(', ')}`);
      }
      return f as FieldFilter;
    });
  }
  return { q: q.q, stages: q.stage, tags: q.tag, createdFrom: q.createdFrom, createdTo: q.createdTo, filters, sort: q.sort, deleted: q.deleted };
}

function maskIdentity(i: Identity, pii: boolean): Identity {
  if (pii) return i;
  if (i.kind === 'email') return { ...i, value: maskEmail(i.value)! };
  if (i.kind === 'phone') return { ...i, value: maskPhone(i.value)! };
  return i;
}

/** A customer's owner must be a member of the customer's workspace. */
async function requireOwnersInWorkspace(db: Queryable, workspaceId: string, owners: [path: string, userId: string | null | undefined][]): Promise<void> {
  const members = new Map<string, boolean>();
  for (const [path, userId] of owners) {
    if (!userId) continue;
    const id = userId.toLowerCase();
    if (!members.has(id)) members.set(id, (await getMembershipRole(db, workspaceId, id)) !== undefined);
    if (!members.get(id)) throw new AppError('invalid_input', `${path}: is not a member of this workspace`);
  }
}

export async function registerCustomerRoutes(app: App, { database, config }: AppDeps) {
  const { db } = database;
  const tags = ['customers'];
  const piiOf = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

  async function detail(row: CustomerRow, pii: boolean) {
    const ref = { workspaceId: row.workspaceId, customerId: row.id };
    return {
      ...toCustomer(row, { pii }),
      identities: (await listIdentities(db, ref)).map((i) => maskIdentity(i, pii)),
      consents: await getConsents(db, ref),
      preferences: await listPreferences(db, ref),
    };
  }

  app.get('/api/customers', { config: { auth: 'customers.read' }, schema: { tags, summary: 'List customers: filters, search, sort, cursor paging', querystring: ListQuery, response: { 200: CustomerPageSchema } } }, async (request) => {
    const c = caller(request);
    const pii = piiOf(request);
    const query = parseListQuery(request.query);
    // Definitions are needed only to filter on an attribute: most list requests skip the query.
    const defs = query.filters?.some((f) => f.field.startsWith('attributes.')) ? await listAttributeDefs(db, { workspaceId: c.workspaceId }) : [];
    const page = await queryCustomers(db, {
      workspaceId: c.workspaceId,
      query,
      defs,
      pii,
      limit: request.query.limit ?? 50,
      cursor: request.query.cursor,
      withTotal: !request.query.cursor,
    });
    return { items: page.rows.map((r) => toCustomer(r, { pii })), nextCursor: page.nextCursor, total: page.total, totalExact: page.totalExact };
  });

  app.post('/api/customers', { config: { auth: 'customers.write' }, schema: { tags, summary: 'Create a customer', body: CustomerBody, response: { 201: CustomerDetailSchema } } }, async (request, reply) => {
    const c = caller(request);
    await requireOwnersInWorkspace(db, c.workspaceId, [['body.ownerUserId', request.body.ownerUserId]]);
    const row = await db.transaction((tx) => createCustomer(tx, { workspaceId: c.workspaceId, actor: c.actor, input: request.body }));
    return reply.status(201).send(await detail(row, piiOf(request)));
  });

  app.post(
    '/api/customers/bulk',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Create or update up to 1000 customers, matched by external id, e-mail or phone',
        body: Type.Object(
          {
            customers: Type.Array(CustomerBody, { minItems: 1, maxItems: 1000 }),
            matchBy: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('externalId'), Type.Literal('email'), Type.Literal('phone')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: BulkResultSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      await requireOwnersInWorkspace(db, c.workspaceId, request.body.customers.map((x, i) => [`body.customers[${i}].ownerUserId`, x.ownerUserId]));
      const results = await db.transaction((tx) =>
        upsertCustomers(tx, { workspaceId: c.workspaceId, actor: c.actor, rows: request.body.customers, matchBy: request.body.matchBy ?? 'auto', auditEach: true, consentSource: 'api' }),
      );
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return {
        results: results.map((r) => ({ index: r.index, status: r.status, id: r.id, error: r.status === 'failed' ? rowError(r).message : undefined })),
        created: count('created'),
        updated: count('updated'),
        failed: count('failed'),
      };
    },
  );

  app.post(
    '/api/customers/identify',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Identity stitching: link identities to one customer, folding an anonymous profile into the known one',
        body: Type.Object(
          {
            anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
            phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            traits: Type.Optional(PatchBody),
            source: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: IdentifyResultSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      await requireOwnersInWorkspace(db, c.workspaceId, [['body.traits.ownerUserId', request.body.traits?.ownerUserId]]);
      const result = await db.transaction((tx) => identify(tx, { workspaceId: c.workspaceId, actor: c.actor, input: request.body }));
      return { customer: toCustomer(result.customer, { pii: piiOf(request) }), created: result.created, merged: result.merged, linked: result.linked.length };
    },
  );

  app.get(
    '/api/customers/duplicates',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'Likely duplicate profiles, best first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })), customerId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: DuplicateListSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const pii = piiOf(request);
      const pairs = await findDuplicates(db, { workspaceId: c.workspaceId, customerId: request.query.customerId, limit: request.query.limit ?? 50 });
      const ids = [...new Set(pairs.flatMap((p) => [p.aId, p.bId]))];
      const rows = new Map<string, CustomerRow>();
      for (const id of ids) {
        const row = await getCustomerRow(db, { workspaceId: c.workspaceId, id });
        if (row) rows.set(id, row);
      }
      return {
        items: pairs
          .filter((p) => rows.has(p.aId) && rows.has(p.bId))
          .map((p) => ({ a: toCustomer(rows.get(p.aId)!, { pii }), b: toCustomer(rows.get(p.bId)!, { pii }), score: p.score, reasons: p.reasons })),
      };
    },
  );

  app.post(
    '/api/customers/duplicates/dismiss',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Mark two profiles as different people', body: Type.Object({ aId: Uuid, bId: Uuid }, { additionalProperties: false }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => dismissDuplicate(tx, { workspaceId: c.workspaceId, actor: c.actor, ...request.body }));
      return { ok: true };
    },
  );

  app.post(
    '/api/customers/merges/:mergeId/undo',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Undo a merge (within 30 days)', params: Type.Object({ mergeId: Uuid }), response: { 200: UndoMergeSchema } } },
    async (request) => {
      const c = caller(request);
      const pii = piiOf(request);
      const result = await db.transaction((tx) => undoMerge(tx, { workspaceId: c.workspaceId, actor: c.actor, mergeId: request.params.mergeId }));
      return { survivor: toCustomer(result.survivor, { pii }), restored: toCustomer(result.restored, { pii }) };
    },
  );

  app.get('/api/customers/:id', { config: { auth: 'customers.read' }, schema: { tags, summary: 'One customer with identities, consents and preferences', params: IdParams, response: { 200: CustomerDetailSchema } } }, async (request) => {
    const c = caller(request);
    const row = await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    return detail(row, piiOf(request));
  });

  app.patch('/api/customers/:id', { config: { auth: 'customers.write' }, schema: { tags, summary: 'Change a customer (null clears a field)', params: IdParams, body: PatchBody, response: { 200: CustomerDetailSchema } } }, async (request) => {
    const c = caller(request);
    await requireOwnersInWorkspace(db, c.workspaceId, [['body.ownerUserId', request.body.ownerUserId]]);
    const row = await db.transaction((tx) => updateCustomer(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, input: request.body }));
    return detail(row, piiOf(request));
  });

  app.delete('/api/customers/:id', { config: { auth: 'customers.write' }, schema: { tags, summary: 'Delete a customer (soft: restore undoes it)', params: IdParams, response: { 200: OkSchema } } }, async (request) => {
    const c = caller(request);
    await db.transaction(async (tx) => {
      await requireCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id });
      await setDeleted(tx, c.workspaceId, request.params.id, true);
      await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'customer.delete', entityType: 'customer', entityId: request.params.id });
    });
    return { ok: true };
  });

  app.post('/api/customers/:id/restore', { config: { auth: 'customers.write' }, schema: { tags, summary: 'Restore a deleted customer', params: IdParams, response: { 200: CustomerDetailSchema } } }, async (request) => {
    const c = caller(request);
    const row = await db.transaction(async (tx) => {
      const found = await getCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id, includeDeleted: true });
      if (!found || found.mergedIntoId || found.erasedAt) throw new AppError('not_found', `customer ${request.params.id} not found or cannot be restored`);
      if (!found.deletedAt) return found;
      await setDeleted(tx, c.workspaceId, request.params.id, false);
      await recordAudit(tx, { workspaceId: c.workspaceId, actor: c.actor, action: 'customer.restore', entityType: 'customer', entityId: request.params.id });
      return (await getCustomerRow(tx, { workspaceId: c.workspaceId, id: request.params.id }))!;
    });
    return detail(row, piiOf(request));
  });

  async function setDeleted(tx: Parameters<Parameters<typeof db.transaction>[0]>[0], workspaceId: string, id: string, deleted: boolean) {
    await tx.execute(sql`update customers set deleted_at = ${deleted ? sql`now()` : sql`null`}, updated_at = now() where workspace_id = ${workspaceId} and id = ${id}`);
    await notifyCustomersChanged(tx, { workspaceId, customerIds: [id], changes: ['all'] });
  }

  // --- identities --------------------------------------------------------------------
  app.get('/api/customers/:id/identities', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Identities of a customer', params: IdParams, response: { 200: IdentityListSchema } } }, async (request) => {
    const c = caller(request);
    await requireCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    const pii = piiOf(request);
    return { items: (await listIdentities(db, { workspaceId: c.workspaceId, customerId: request.params.id })).map((i) => maskIdentity(i, pii)) };
  });

  app.post(
    '/api/customers/:id/identities',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Link one more identity to a customer',
        params: IdParams,
        body: Type.Object({ kind: literals(IDENTITY_KINDS), value: Type.String({ minLength: 1, maxLength: 320 }), source: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 201: IdentitySchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const identity = await db.transaction((tx) => addIdentity(tx, { workspaceId: c.workspaceId, actor: c.actor, customerId: request.params.id, ...request.body }));
      return reply.status(201).send(identity);
    },
  );

  app.delete(
    '/api/customers/:id/identities/:identityId',
    { config: { auth: 'customers.write' }, schema: { tags, summary: 'Unlink an identity', params: Type.Object({ id: Uuid, identityId: Uuid }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => removeIdentity(tx, { workspaceId: c.workspaceId, actor: c.actor, customerId: request.params.id, identityId: request.params.identityId }));
      return { ok: true };
    },
  );

  // --- merge ---------------------------------------------------------------------------
  const FieldChoice = Type.Union([Type.Literal('survivor'), Type.Literal('other')]);
  app.post(
    '/api/customers/:id/merge',
    {
      config: { auth: 'customers.write' },
      schema: {
        tags,
        summary: 'Merge another profile into this one',
        params: IdParams,
        body: Type.Object(
          { otherId: Uuid, fields: Type.Optional(Type.Object(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, Type.Optional(FieldChoice)])), { additionalProperties: false })) },
          { additionalProperties: false },
        ),
        response: { 200: MergeResultSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const result = await db.transaction((tx) =>
        mergeCustomers(tx, { workspaceId: c.workspaceId, actor: c.actor, survivorId: request.params.id, mergedId: request.body.otherId, fields: request.body.fields }),
      );
      return { customer: await detail(result.survivor, piiOf(request)), merge: result.merge };
    },
  );

  app.get('/api/customers/:id/merges', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Merges this customer took part in', params: IdParams, response: { 200: MergeListSchema } } }, async (request) => {
    const c = caller(request);
    const row = await getCustomerRow(db, { workspaceId: c.workspaceId, id: request.params.id, includeDeleted: true });
    if (!row) throw new AppError('not_found', `customer ${request.params.id} not found`);
    return { items: await listMerges(db, { workspaceId: c.workspaceId, customerId: request.params.id }) };
  });

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

  // --- custom attributes and saved views -------------------------------------------------
  const AttributeBody = {
    label: Type.String({ minLength: 1, maxLength: 200 }),
    purpose: literals(ATTRIBUTE_PURPOSES),
    options: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    required: Type.Optional(Type.Boolean()),
  };
  app.get('/api/customer-attributes', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Custom attribute definitions', response: { 200: AttributeDefListSchema } } }, async (request) => ({
    items: await listAttributeDefs(db, { workspaceId: caller(request).workspaceId }),
  }));
  app.post(
    '/api/customer-attributes',
    {
      config: { auth: 'customers.configure' },
      schema: {
        tags,
        summary: 'Define a custom attribute',
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 63 }), type: literals(ATTRIBUTE_TYPES), ...AttributeBody }, { additionalProperties: false }),
        response: { 201: AttributeDefSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const def = await db.transaction((tx) => createAttributeDef(tx, { workspaceId: c.workspaceId, actor: c.actor, input: request.body }));
      return reply.status(201).send(def);
    },
  );
  app.patch(
    '/api/customer-attributes/:key',
    {
      config: { auth: 'customers.configure' },
      schema: {
        tags,
        summary: 'Change a custom attribute (not its key or type)',
        params: Type.Object({ key: Type.String({ maxLength: 63 }) }),
        body: Type.Object({ label: Type.Optional(AttributeBody.label), purpose: Type.Optional(AttributeBody.purpose), options: AttributeBody.options, description: AttributeBody.description, required: AttributeBody.required }, { additionalProperties: false }),
        response: { 200: AttributeDefSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      return db.transaction((tx) => updateAttributeDef(tx, { workspaceId: c.workspaceId, actor: c.actor, key: request.params.key, patch: request.body }));
    },
  );
  app.delete(
    '/api/customer-attributes/:key',
    { config: { auth: 'customers.configure' }, schema: { tags, summary: 'Archive a custom attribute', params: Type.Object({ key: Type.String({ maxLength: 63 }) }), response: { 200: OkSchema } } },
    async (request) => {
      const c = caller(request);
      await db.transaction((tx) => archiveAttributeDef(tx, { workspaceId: c.workspaceId, actor: c.actor, key: request.params.key }));
      return { ok: true };
    },
  );

  app.get('/api/customer-views', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Saved views of the customer list', response: { 200: ViewListSchema } } }, async (request) => {
    const c = caller(request);
    return { items: await listViews(db, { workspaceId: c.workspaceId, userId: c.userId }) };
  });
  app.post(
    '/api/customer-views',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'Save a view of the customer list',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            query: Type.Record(Type.String(), Type.Unknown()),
            columns: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
            shared: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: ViewSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      return reply.status(201).send(await createView(db, { workspaceId: c.workspaceId, userId: c.userId, ...request.body, shared: request.body.shared ?? false }));
    },
  );
  app.delete('/api/customer-views/:id', { config: { auth: 'customers.read' }, schema: { tags, summary: 'Delete a saved view', params: IdParams, response: { 200: OkSchema } } }, async (request) => {
    const c = caller(request);
    await deleteView(db, { workspaceId: c.workspaceId, userId: c.userId, id: request.params.id, mayDeleteShared: can(c.role, 'customers.write') });
    return { ok: true };
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
