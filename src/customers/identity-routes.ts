// HTTP routes of who a customer is (see docs/customers.md): the identities linked to a profile,
// likely duplicate profiles, and merging two profiles into one (and undoing it). Thin: parse, call, format.
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { requireCustomerRow, getCustomerRow, toCustomer, type CustomerRow } from './customers.ts';
import { DuplicateListSchema, IdentityListSchema, IdentitySchema, MergeListSchema, MergeResultSchema, OkSchema, UndoMergeSchema } from './contract.ts';
import { dismissDuplicate, findDuplicates } from './duplicates.ts';
import { IDENTITY_KINDS } from './fields.ts';
import { addIdentity, listIdentities, removeIdentity } from './identities.ts';
import { listMerges, mergeCustomers, undoMerge } from './merge.ts';
import { PROFILE_FIELDS } from './profile-input.ts';
import { customerDetail, IdParams, literals, maskIdentity, piiOf, Uuid } from './route-parts.ts';

export async function registerCustomerIdentityRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['customers'];
  const detail = (row: CustomerRow, pii: boolean) => customerDetail(db, row, pii);

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

  // --- duplicates ----------------------------------------------------------------------
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
}
