// HTTP routes of the customers area (see docs/customers.md). Thin: parse, call, format.
// Profiles and the list: listing, creating (one, in bulk, by identify), reading, changing, deleting
// and restoring a customer, its custom attribute definitions and the list's saved views. What is
// linked to one customer is in identity-routes.ts (identities, duplicates, merges) and
// record-routes.ts (consent and unsubscribing, preferences, notes, timeline, privacy requests).
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../workspaces/audit.ts';
import { can } from '../workspaces/roles.ts';
import { getMembershipRole } from '../workspaces/workspaces.ts';
import type { Queryable } from '../db/connection.ts';
import { ATTRIBUTE_PURPOSES, ATTRIBUTE_TYPES, archiveAttributeDef, createAttributeDef, listAttributeDefs, updateAttributeDef } from './attributes.ts';
import { notifyCustomersChanged } from './links.ts';
import { createCustomer, requireCustomerRow, rowError, getCustomerRow, toCustomer, updateCustomer, upsertCustomers, type CustomerRow } from './customers.ts';
import { AttributeDefListSchema, AttributeDefSchema, BulkResultSchema, CustomerDetailSchema, CustomerPageSchema, IdentifyResultSchema, OkSchema, ViewListSchema, ViewSchema } from './contract.ts';
import { LIFECYCLE_STAGES } from './fields.ts';
import { identify } from './identities.ts';
import { FILTER_OPS, queryCustomers, SORT_FIELDS, type CustomerQuery, type FieldFilter } from './list.ts';
import { ConsentBody, customerDetail, IdParams, literals, piiOf, PreferenceBody, Uuid } from './route-parts.ts';
import { createView, deleteView, listViews } from './views.ts';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

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

export async function registerCustomerRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['customers'];
  const detail = (row: CustomerRow, pii: boolean) => customerDetail(db, row, pii);

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
}
