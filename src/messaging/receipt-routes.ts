// Delivery receipts from SOLAPI: SOLAPI's message report webhook (set in its console) POSTs a JSON
// array of message objects as its message list returns them ({messageId, statusCode,
// statusMessage, type, replacement, dateReceived, …}; statusCode per
// github.com/solapi/documents api-reference/message-status-codes.md).
//
// How it is verified: SOLAPI's public documentation describes no signature on this webhook, so
// Rapport gives each SOLAPI channel its own secret token, derived from the server key and the
// channel (HMAC-SHA256, never stored), and the URL entered in SOLAPI's console carries it:
//   POST /api/messaging/receipts/solapi/<channelId>?token=<token>   (solapiReceiptUrl)
// A request without the channel's token is refused (401) before anything is read; a report can
// only touch messages sent through that channel.
//
// Mapping: 4000 → delivered; 2000 (accepted) and 3000 (with the carrier) are steps on the way and
// recorded as nothing; any other code means the message left but did not arrive: bounced, through
// handleBounce (src/messaging/bounces.ts) with the code and SOLAPI's message. A hard bounce (the
// number is malformed, not subscribed, or cannot take SMS: 3010, 3032, 3050) also puts the number
// on the suppression list; the rest (phone off, spam filter, not a KakaoTalk user, …) are soft.
// (A `failed` status would not show: a message that was sent never moves back to failed.)
// `replacement: true` (an AlimTalk sent as SMS/LMS instead, 대체발송) is kept in the history's
// detail as fellBack.
import crypto from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { serverKey } from '../events/identity-verification.ts';
import { AppError } from '../errors.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { channels, messages } from './schema.ts';
import { handleBounce } from './bounces.ts';
import { recordStatuses, type StatusChange } from './status.ts';

type KeyConfig = Pick<Config, 'secretKey' | 'dataDir'>;

/** The channel's receipt token: the same for as long as the server key and the channel are. */
export function solapiReceiptToken(config: KeyConfig, workspaceId: string, channelId: string): string {
  return crypto.createHmac('sha256', serverKey(config)).update(`solapi-receipts:${workspaceId}:${channelId}`).digest('base64url');
}

/** The address to enter as the message report webhook in SOLAPI's console. */
export function solapiReceiptUrl(config: KeyConfig & Pick<Config, 'publicUrl'>, channel: { workspaceId: string; id: string }): string {
  const base = (config.publicUrl ?? 'http://localhost:3000').replace(/\/$/, '');
  return `${base}/api/messaging/receipts/solapi/${channel.id}?token=${solapiReceiptToken(config, channel.workspaceId, channel.id)}`;
}

export type SolapiReport = { messageId: string; statusCode: string; statusMessage?: string; type?: string; replacement?: boolean; dateReceived?: string; dateReported?: string };

/** Codes that say the number itself cannot receive text messages. */
const HARD_CODES = new Set(['3010', '3032', '3050']);

/** What a SOLAPI status code means for the message: delivered, bounced (hard or soft) with a reason, or nothing yet. */
export function solapiOutcome(report: Pick<SolapiReport, 'statusCode' | 'statusMessage'>): { status: 'delivered' } | { status: 'bounced'; hard: boolean; reason: string } | null {
  const code = report.statusCode.trim();
  if (code === '4000') return { status: 'delivered' };
  if (code === '2000' || code === '3000' || code === '') return null;
  return { status: 'bounced', hard: HARD_CODES.has(code), reason: `${code}: ${report.statusMessage?.trim() || 'refused'}`.trim() };
}

const Report = Type.Object(
  {
    messageId: Type.String({ minLength: 1, maxLength: 100 }),
    statusCode: Type.String({ maxLength: 20 }),
    statusMessage: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    type: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    replacement: Type.Optional(Type.Union([Type.Boolean(), Type.Integer()])),
    dateReceived: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
    dateReported: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
  },
  { additionalProperties: true },
);

const Receipt = Type.Object(
  {
    received: Type.Integer({ description: 'Reports in the request' }),
    recorded: Type.Integer({ description: 'Reports that changed a message (delivered or bounced)' }),
    ignored: Type.Integer({ description: 'Reports of steps on the way, or of messages not sent through this channel' }),
  },
  { additionalProperties: false },
);

const validDate = (value: string | null | undefined): Date | undefined => {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

/** Reports per minute from one address: SOLAPI sends them in batches, so this is far above its rate. */
export const RECEIPT_RATE_LIMIT = 600;

export async function registerReceiptRoutes(app: App, { database, config }: AppDeps): Promise<void> {
  const { db } = database;
  app.post(
    '/api/messaging/receipts/solapi/:channelId',
    {
      config: {
        auth: 'public',
        rateLimit: { max: RECEIPT_RATE_LIMIT, timeWindow: '1 minute', allowList: () => false, keyGenerator: (r: FastifyRequest) => `receipts:${r.ip}` },
      },
      schema: {
        tags: ['messaging'],
        summary: "SOLAPI delivery reports (the message report webhook; the channel's token in the query)",
        params: Type.Object({ channelId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Array(Report, { maxItems: 10_000 }),
        response: { 200: Receipt },
      },
    },
    async (request) => {
      const { channelId } = request.params;
      const [channel] = await db
        .select({ workspaceId: channels.workspaceId, id: channels.id })
        .from(channels)
        .where(and(eq(channels.id, channelId), eq(channels.provider, 'solapi')))
        .limit(1);
      if (!channel) throw new AppError('not_found', 'params.channelId: no SOLAPI channel with this id');
      const expected = Buffer.from(solapiReceiptToken(config, channel.workspaceId, channel.id));
      const given = Buffer.from(request.query.token);
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new AppError('unauthenticated', "query.token: not this channel's receipt token");

      const reports = request.body;
      const ids = [...new Set(reports.map((r) => r.messageId))];
      const found = ids.length
        ? await db
            .select({ id: messages.id, providerMessageId: messages.providerMessageId })
            .from(messages)
            .where(and(eq(messages.workspaceId, channel.workspaceId), eq(messages.channelId, channel.id), inArray(messages.providerMessageId, ids)))
        : [];
      const byProviderId = new Map(found.map((m) => [m.providerMessageId, m.id]));
      const delivered: StatusChange[] = [];
      let bounced = 0;
      for (const report of reports) {
        const messageId = byProviderId.get(report.messageId);
        const outcome = solapiOutcome({ statusCode: report.statusCode, statusMessage: report.statusMessage ?? undefined });
        if (!messageId || !outcome) continue;
        if (outcome.status === 'bounced') {
          const result = await handleBounce(db, { workspaceId: channel.workspaceId, messageId, status: outcome.hard ? 'hard' : 'soft', diagnostic: outcome.reason, code: report.statusCode });
          if (result.found) bounced++;
          continue;
        }
        const fellBack = report.replacement === true || report.replacement === 1;
        delivered.push({
          workspaceId: channel.workspaceId,
          messageId,
          status: 'delivered',
          detail: { provider: 'solapi', code: report.statusCode, ...(report.type ? { type: report.type } : {}), ...(fellBack ? { fellBack: true } : {}) },
          at: validDate(report.dateReceived) ?? validDate(report.dateReported) ?? clock.now(),
        });
      }
      if (delivered.length) await recordStatuses(db, delivered);
      const recorded = delivered.length + bounced;
      return { received: reports.length, recorded, ignored: reports.length - recorded };
    },
  );
}
