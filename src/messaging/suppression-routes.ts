// HTTP routes of the suppression list: read it (customers.read; hints masked further for roles
// without pii.read), list an address by hand and take one off (messaging.write). Thin.
import { Type } from 'typebox';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { AppError } from '../errors.ts';
import { piiOf } from '../customers/route-parts.ts';
import { addressForKind, addSuppression, listSuppressions, maskHint, removeSuppression, SUPPRESSION_KINDS, SUPPRESSION_LIST_REASONS, type Suppression } from './suppressions.ts';

const OneOf = (values: readonly string[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the normalised address' });
const KIND_TEXT = 'email, sms (SMS and KakaoTalk share the phone number’s entry) or push (a subscription endpoint)';

export const SuppressionSchema = Type.Object(
  {
    kind: Type.String({ enum: [...SUPPRESSION_KINDS], description: KIND_TEXT }),
    addressHash: Type.String({ description: 'SHA-256 (hex) of the normalised address: the list keeps no address' }),
    hint: Type.String({ description: 'The address masked, e.g. ki***@example.com (***@example.com for roles without pii.read)' }),
    reason: Type.String({ enum: [...SUPPRESSION_LIST_REASONS] }),
    detail: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);
const SuppressionPageSchema = Type.Object({ items: Type.Array(SuppressionSchema), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The next page: pass as cursor' }) }, { additionalProperties: true });
const OkSchema = Type.Object({ ok: Type.Boolean({ description: 'Always true' }) }, { additionalProperties: true });

export async function registerSuppressionRoutes(app: App, { database }: AppDeps): Promise<void> {
  const { db } = database;
  const tags = ['messaging'];
  const shown = (s: Suppression, pii: boolean) => (pii ? s : maskHint(s));

  app.get(
    '/api/suppressions',
    {
      config: { auth: 'customers.read' },
      schema: {
        tags,
        summary: 'The suppression list: addresses no message goes to (hard bounces, complaints, added by hand), newest first',
        querystring: Type.Object(
          {
            kind: Type.Optional(OneOf(SUPPRESSION_KINDS, KIND_TEXT)),
            reason: Type.Optional(OneOf(SUPPRESSION_LIST_REASONS)),
            address: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Find one address (the list holds hashes only)' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SuppressionPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const q = request.query;
      const page = await listSuppressions(db, { workspaceId: c.workspaceId, kind: q.kind, reason: q.reason, address: q.address, limit: q.limit ?? 50, cursor: q.cursor });
      const pii = piiOf(request);
      return { items: page.items.map((s) => shown(s, pii)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/suppressions',
    {
      config: { auth: 'messaging.write' },
      schema: {
        tags,
        summary: 'Add an address to the suppression list by hand (201; 200 when it was already listed, with its first reason)',
        body: Type.Object(
          {
            kind: OneOf(SUPPRESSION_KINDS, KIND_TEXT),
            address: Type.String({ minLength: 1, maxLength: 2000, description: 'An e-mail address, a phone number or a push subscription endpoint' }),
            detail: Type.Optional(Type.String({ maxLength: 500, description: 'Why, for whoever reads the list later' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SuppressionSchema, 201: SuppressionSchema },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const { kind, detail } = request.body;
      const address = addressForKind(kind, request.body.address, 'body.address');
      const { suppression, created } = await db.transaction((tx) => addSuppression(tx, { workspaceId: c.workspaceId, kind, address, reason: 'manual', detail: detail ?? null, actor: c.actor }));
      return reply.status(created ? 201 : 200).send(shown(suppression, piiOf(request)));
    },
  );

  app.delete(
    '/api/suppressions/:kind/:addressHash',
    {
      config: { auth: 'messaging.write' },
      schema: {
        tags,
        summary: 'Take an address off the suppression list (messages may go to it again)',
        params: Type.Object({ kind: OneOf(SUPPRESSION_KINDS, KIND_TEXT), addressHash: Hash }),
        response: { 200: OkSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const removed = await db.transaction((tx) => removeSuppression(tx, { workspaceId: c.workspaceId, kind: request.params.kind, addressHash: request.params.addressHash, actor: c.actor }));
      if (!removed) throw new AppError('not_found', `suppression ${request.params.kind}/${request.params.addressHash} not found`);
      return { ok: true };
    },
  );
}
