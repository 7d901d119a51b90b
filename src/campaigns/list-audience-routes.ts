// HTTP route of "send a campaign" from a list: the list's live segment (found or made), for the
// wizard to take as the audience. Choosing an audience needs messaging.write, as a segment does.
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { ensureListSegment, ListSegmentAnswer, ListSegmentBody, type ListRef } from './list-audience.ts';

export async function registerListAudienceRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  app.post(
    '/api/campaigns/list-segment',
    {
      config: { auth: 'messaging.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'The live segment of a list (at risk, dormant, abandoned carts, a basket rule): an existing one with the same definition, or a new one (201)',
        body: ListSegmentBody,
        response: { 200: ListSegmentAnswer, 201: ListSegmentAnswer },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const answer = await db.transaction((tx) => ensureListSegment(tx, { workspaceId: c.workspaceId, actor: c.actor, list: request.body.list as ListRef, name: request.body.name }));
      return reply.status(answer.created ? 201 : 200).send(answer);
    },
  );
}
