// HTTP routes of campaigns: create, change and list them, count an audience live, start, pause,
// resume and cancel the send, the report, the recipients (pages or CSV) and the workspace's
// campaign settings (global control group, message costs). Writing needs messaging.write; reading
// needs analytics.read, recipients customers.read (addresses masked without pii.read).
import { Type } from 'typebox';
import { decodeCursor, encodeCursor, cursorTime } from '../commerce/cursor.ts';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { Uuid } from '../messaging/schema-parts.ts';
import { can } from '../workspaces/roles.ts';
import { countAudience, getCampaignSettings, setCampaignSettings } from './audience.ts';
import { CAMPAIGN_STATUSES, createCampaign, getCampaign, listCampaigns, updateCampaign, type CampaignInput, type CampaignRow, type CampaignStatus } from './campaigns.ts';
import { AudienceBody, AudienceCountSchema, CampaignBody, CampaignPageSchema, CampaignPatchBody, CampaignSchema, CampaignSettingsSchema, RecipientsAnswer, ReportSchema } from './contract.ts';
import { campaignListFigures } from './list-figures.ts';
import { listRecipients, recipientsCsv } from './recipients.ts';
import { campaignReport } from './report.ts';
import { cancelCampaign, pauseCampaign, resumeCampaign, scheduleCampaign } from './sending.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toCampaign(c: CampaignRow) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    purpose: c.purpose,
    kind: c.kind,
    channelId: c.channelId,
    audience: { segmentIds: c.audience.segmentIds, excludeSegmentIds: c.audience.excludeSegmentIds, listSize: c.audience.customerIds.length },
    variants: c.variants.map((v) => ({ key: v.key, name: v.name, templateId: v.templateId, share: v.share, version: v.version ?? null })),
    holdoutShare: c.holdoutShare,
    schedule: c.schedule,
    throttlePerMinute: c.throttlePerMinute,
    goal: c.goal,
    winner: c.winner ?? null,
    testSize: c.testSize,
    winnerKey: c.winnerKey,
    winnerPickedAt: iso(c.winnerPickedAt),
    audienceSize: c.audienceSize,
    excludedGlobalControl: c.excludedGlobalControl,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    startedAt: iso(c.startedAt),
    enqueuedAt: iso(c.enqueuedAt),
    pausedAt: iso(c.pausedAt),
    cancelledAt: iso(c.cancelledAt),
  };
}

const Id = Type.Object({ id: Uuid });

export async function registerCampaignRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['campaigns'];
  const write = { auth: 'messaging.write' as const };
  const read = { auth: 'analytics.read' as const };

  app.post('/api/campaigns', { config: write, schema: { tags, summary: 'Create a campaign (a draft: nothing is sent until it is scheduled)', body: CampaignBody, response: { 201: CampaignSchema } } }, async (request, reply) => {
    const c = caller(request);
    const row = await db.transaction((tx) => createCampaign(tx, { workspaceId: c.workspaceId, actor: c.actor, input: request.body as CampaignInput }));
    return reply.status(201).send(toCampaign(row));
  });

  app.get(
    '/api/campaigns',
    {
      config: read,
      schema: {
        tags,
        summary: 'Campaigns, newest first, a page at a time (nextCursor); filter by status',
        querystring: Type.Object(
          { status: Type.Optional(Type.String({ enum: [...CAMPAIGN_STATUSES] })), cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: CampaignPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const limit = request.query.limit ?? 50;
      let before: { at: Date; id: string } | undefined;
      if (request.query.cursor) {
        const cur = decodeCursor(request.query.cursor);
        before = { at: cursorTime(cur.value), id: cur.id };
      }
      const rows = await listCampaigns(db, { workspaceId: c.workspaceId, status: request.query.status as CampaignStatus | undefined, before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const figures = await campaignListFigures(db, { workspaceId: c.workspaceId, campaignIds: page.map((r) => r.id) });
      return { items: page.map((r) => ({ ...toCampaign(r), figures: figures.get(r.id)! })), nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt.toISOString(), last.id) : null };
    },
  );

  app.post(
    '/api/campaigns/audience-count',
    { config: write, schema: { tags, summary: 'How many customers an audience holds now, and how many the global control group keeps out', body: Type.Object({ audience: AudienceBody, purpose: Type.Optional(Type.String({ enum: ['marketing', 'transactional'] })) }, { additionalProperties: false }), response: { 200: AudienceCountSchema } } },
    async (request) => {
      const a = request.body.audience;
      const audience = { segmentIds: a.segmentIds ?? [], customerIds: a.customerIds ?? [], excludeSegmentIds: a.excludeSegmentIds ?? [] };
      if (audience.segmentIds.length === 0 && audience.customerIds.length === 0) throw new AppError('invalid_input', 'body.audience.segmentIds: name at least one segment, or give customerIds');
      return countAudience(db, caller(request).workspaceId, audience, request.body.purpose ?? 'marketing');
    },
  );

  app.get('/api/campaigns/settings', { config: read, schema: { tags, summary: 'The global control group’s share and what each message type costs', response: { 200: CampaignSettingsSchema } } }, async (request) => {
    const s = await getCampaignSettings(db, caller(request).workspaceId);
    return { globalControlShare: s.globalControlShare, costs: s.costs };
  });

  app.put(
    '/api/campaigns/settings',
    {
      config: { auth: 'workspace.manage' as const },
      schema: {
        tags,
        summary: 'Set the global control group (a stable few per cent of customers no marketing campaign reaches) and message costs (email, sms, lms, alimtalk, friendtalk, push, webhook)',
        body: Type.Object({ globalControlShare: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })), costs: Type.Optional(Type.Record(Type.String({ maxLength: 20 }), Type.Number({ minimum: 0, maximum: 1_000_000 }))) }, { additionalProperties: false }),
        response: { 200: CampaignSettingsSchema },
      },
    },
    async (request) => {
      const s = await setCampaignSettings(db, caller(request).workspaceId, request.body);
      return { globalControlShare: s.globalControlShare, costs: s.costs };
    },
  );

  app.get('/api/campaigns/:id', { config: read, schema: { tags, summary: 'One campaign', params: Id, response: { 200: CampaignSchema } } }, async (request) =>
    toCampaign(await getCampaign(db, caller(request).workspaceId, request.params.id)),
  );

  app.patch('/api/campaigns/:id', { config: write, schema: { tags, summary: 'Change a draft or scheduled campaign (a started one: its name only)', params: Id, body: CampaignPatchBody, response: { 200: CampaignSchema } } }, async (request) => {
    const c = caller(request);
    const row = await db.transaction((tx) => updateCampaign(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, patch: request.body as Partial<CampaignInput> }));
    return toCampaign(row);
  });

  const action = (path: string, summary: string, run: typeof scheduleCampaign) =>
    app.post(`/api/campaigns/:id/${path}`, { config: write, schema: { tags, summary, params: Id, response: { 200: CampaignSchema } } }, async (request) => {
      const c = caller(request);
      return toCampaign(await run(db, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id }));
    });
  action('schedule', 'Start the send: now (the audience is frozen and messages are made in the background), or at the scheduled time', scheduleCampaign);
  action('pause', 'Pause a sending campaign: queued messages wait, messages being sent finish', pauseCampaign);
  action('resume', 'Resume a paused campaign', resumeCampaign);
  action('cancel', 'Cancel: nothing more is sent (unsent messages are suppressed with reason campaign_cancelled)', cancelCampaign);

  app.get(
    '/api/campaigns/:id/report',
    { config: read, schema: { tags, summary: 'Per variant and for the holdout: the funnel, conversions and revenue in the goal’s window, uplift with 95% intervals, last-touch attribution, cost and return', params: Id, response: { 200: ReportSchema } } },
    async (request) => campaignReport(db, await getCampaign(db, caller(request).workspaceId, request.params.id)),
  );

  app.get(
    '/api/campaigns/:id/recipients',
    {
      config: { auth: 'customers.read' as const },
      schema: {
        tags,
        summary: 'The frozen recipients with their group and what became of their message, a page at a time, or all of them with ?format=csv (needs customers.export)',
        params: Id,
        querystring: Type.Object(
          {
            variant: Type.Optional(Type.String({ maxLength: 20 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: RecipientsAnswer },
      },
    },
    async (request, reply) => {
      const c = caller(request);
      const campaign = await getCampaign(db, c.workspaceId, request.params.id);
      const pii = can(c.role, 'pii.read');
      const q = request.query;
      if (q.format === 'csv') {
        if (!can(c.role, 'customers.export')) throw new AppError('forbidden', `query.format: csv downloads need the customers.export permission, which the ${c.role} role does not have`);
        const { Readable } = await import('node:stream');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="campaign-${campaign.id}-recipients.csv"`)
          .send(Readable.from(recipientsCsv(db, { workspaceId: c.workspaceId, campaignId: campaign.id, variant: q.variant, pii })));
      }
      return listRecipients(db, { workspaceId: c.workspaceId, campaignId: campaign.id, variant: q.variant, cursor: q.cursor, limit: q.limit, pii });
    },
  );
}
