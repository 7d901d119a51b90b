// Request and response schemas of the campaigns API, for validation, the OpenAPI document and the
// fuzz run that checks answers against them.
import { Type } from 'typebox';
import { Json, OneOf, Open, Text, Time, Uuid } from '../messaging/schema-parts.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES } from '../messaging/types.ts';
import { CAMPAIGN_STATUSES, VARIANT_KEYS } from './campaigns.ts';

const MaybeTime = Type.Union([Time, Type.Null()]);
const MaybeInt = Type.Union([Type.Integer(), Type.Null()]);
const MaybeNumber = Type.Union([Type.Number(), Type.Null()]);

// --- requests ----------------------------------------------------------------------------------

const Ids = (max: number, description: string) => Type.Array(Uuid, { maxItems: max, description });
export const AudienceBody = Type.Object(
  {
    segmentIds: Type.Optional(Ids(20, 'Customers in any of these segments')),
    customerIds: Type.Optional(Ids(100_000, 'A list of customers (a static list, or the rows of an uploaded CSV)')),
    excludeSegmentIds: Type.Optional(Ids(20, 'Minus the customers in any of these')),
  },
  { additionalProperties: false },
);
const ScheduleBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('now'), Type.Literal('at'), Type.Literal('best_hour')]),
    at: Type.Optional(Type.String({ maxLength: 40, description: 'mode at: an ISO 8601 time with its offset, or with customerTimeZone a local YYYY-MM-DDTHH:mm' })),
    customerTimeZone: Type.Optional(Type.Boolean({ description: 'mode at: the local time in each customer’s time zone' })),
  },
  { additionalProperties: false },
);
const GoalBody = Type.Object(
  {
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Order Completed by default' })),
    filters: Type.Optional(
      Type.Array(
        Type.Object(
          { property: Type.String({ minLength: 1, maxLength: 100 }), op: Type.Union([Type.Literal('eq'), Type.Literal('gte'), Type.Literal('lte')]), value: Type.Union([Type.String({ maxLength: 200 }), Type.Number()]) },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
    windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Days after the send in which a conversion counts (7 by default)' })),
  },
  { additionalProperties: false },
);
const campaignFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  purpose: Type.Optional(OneOf(MESSAGE_PURPOSES)),
  kind: OneOf(CHANNEL_KINDS),
  channelId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'The kind’s default channel when absent' })),
  audience: AudienceBody,
  variants: Type.Array(
    Type.Object({ name: Type.Optional(Type.String({ maxLength: 100 })), templateId: Uuid, share: Type.Integer({ minimum: 1, maximum: 100, description: 'Per cent of the audience' }) }, { additionalProperties: false }),
    { minItems: 1, maxItems: VARIANT_KEYS.length },
  ),
  holdoutShare: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, description: 'Per cent targeted but not sent; with the variants’ shares it makes 100' })),
  schedule: Type.Optional(ScheduleBody),
  throttlePerMinute: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'At most this many messages a minute (0: no limit)' })),
  goal: Type.Optional(GoalBody),
  winner: Type.Optional(
    Type.Union([
      Type.Object(
        {
          testShare: Type.Integer({ minimum: 5, maximum: 50, description: 'Per cent of the audience outside the holdout that gets the variants first' }),
          afterHours: Type.Integer({ minimum: 1, maximum: 168, description: 'Hours after the start when the best variant is picked for the rest' }),
          by: OneOf(['conversion', 'click']),
        },
        { additionalProperties: false, description: 'Pick a winner: the variants go to a test share, the best one (by the goal’s conversion rate or the click rate) to the rest' },
      ),
      Type.Null(),
    ]),
  ),
};
export const CampaignBody = Type.Object(campaignFields, { additionalProperties: false });
export const CampaignPatchBody = Type.Partial(Type.Object(campaignFields, { additionalProperties: false }), { additionalProperties: false });

// --- responses ---------------------------------------------------------------------------------

export const CampaignSchema = Open({
  id: Uuid,
  name: Type.String(),
  status: OneOf(CAMPAIGN_STATUSES),
  purpose: OneOf(MESSAGE_PURPOSES),
  kind: OneOf(CHANNEL_KINDS),
  channelId: Type.Union([Uuid, Type.Null()]),
  audience: Open({ segmentIds: Type.Array(Uuid), excludeSegmentIds: Type.Array(Uuid), listSize: Type.Integer({ description: 'Customers given by id' }) }),
  variants: Type.Array(Open({ key: Type.String(), name: Type.String(), templateId: Uuid, share: Type.Integer(), version: MaybeInt })),
  holdoutShare: Type.Integer(),
  schedule: Json('{ mode: now | at | best_hour, at?, customerTimeZone? }'),
  throttlePerMinute: Type.Integer(),
  goal: Open({ event: Type.String(), filters: Type.Array(Json()), windowDays: Type.Integer() }),
  winner: Type.Union([Open({ testShare: Type.Integer(), afterHours: Type.Integer(), by: Type.String() }), Type.Null()]),
  testSize: MaybeInt,
  winnerKey: Type.Union([Type.String(), Type.Null()]),
  winnerPickedAt: MaybeTime,
  audienceSize: MaybeInt,
  excludedGlobalControl: MaybeInt,
  createdBy: Text,
  createdAt: Time,
  updatedAt: Time,
  startedAt: MaybeTime,
  enqueuedAt: MaybeTime,
  pausedAt: MaybeTime,
  cancelledAt: MaybeTime,
});
export const CampaignPageSchema = Open({
  items: Type.Array(
    Open({
      ...CampaignSchema.properties,
      figures: Open(
        {
          recipients: Type.Integer({ description: 'Frozen recipients, the holdout included (0 before sending starts)' }),
          targeted: Type.Integer({ description: 'Recipients in the variants (the holdout apart)' }),
          sent: Type.Integer(),
          delivered: Type.Integer(),
          opened: Type.Integer(),
          clicked: Type.Integer(),
        },
        'Key figures of the send, counted as the report counts them; conversions are in the report only',
      ),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const AudienceCountSchema = Open({ total: Type.Integer(), globalControl: Type.Integer(), targeted: Type.Integer() });
export const CampaignSettingsSchema = Open({ globalControlShare: Type.Integer(), costs: Type.Record(Type.String(), Type.Number()) });

const Interval = Open({
  level: Type.Number(),
  treatedN: Type.Integer(),
  controlN: Type.Integer(),
  diff: MaybeNumber,
  low: MaybeNumber,
  high: MaybeNumber,
  significant: Type.Boolean(),
  pValue: MaybeNumber,
});
const Words = Open({ verdict: OneOf(['better', 'worse', 'unclear', 'not_enough_data']), en: Type.String(), ko: Type.String() });
export const ReportSchema = Open({
  goal: Json(),
  windowFrom: MaybeTime,
  windowTo: MaybeTime,
  currency: Type.String(),
  groups: Type.Array(
    Open({
      key: Type.String(),
      name: Type.String(),
      share: Type.Number({ description: 'Per cent of the audience (with a winner to pick, a variant’s share of the test times the test’s share)' }),
      targeted: Type.Integer(),
      waiting: Type.Integer(),
      suppressed: Type.Integer(),
      suppressedBy: Type.Record(Type.String(), Type.Integer()),
      sent: Type.Integer(),
      delivered: Type.Integer(),
      opened: Type.Integer(),
      clicked: Type.Integer(),
      unsubscribed: Type.Integer(),
      bounced: Type.Integer(),
      failed: Type.Integer(),
      converted: Type.Integer(),
      conversionRate: MaybeNumber,
      revenue: Type.Number(),
      revenuePerRecipient: MaybeNumber,
      attributedOrders: Type.Integer(),
      attributedRevenue: Type.Number(),
      cost: Type.Number(),
    }),
  ),
  comparisons: Type.Array(Open({ variant: Type.String(), against: Type.String(), conversion: Interval, revenuePerRecipient: Interval, conversionWords: Words, revenueWords: Words })),
  cost: Type.Number(),
  incrementalRevenue: MaybeNumber,
  roi: MaybeNumber,
  timeline: Type.Union([
    Open({ days: Type.Array(Type.String()), groups: Type.Array(Open({ key: Type.String(), converted: Type.Array(Type.Integer()), revenue: Type.Array(Type.Number()) })) }),
    Type.Null(),
  ]),
});
export const RecipientPageSchema = Open({
  items: Type.Array(
    Open({
      customerId: Uuid,
      externalId: Text,
      name: Text,
      email: Text,
      phone: Text,
      variant: Type.String(),
      status: Type.String(),
      reason: Text,
      messageId: Type.Union([Uuid, Type.Null()]),
      sendAt: Type.Union([Time, Type.Null()], { description: 'When the message is (or was) due; null before it is made, for the holdout and while the campaign is paused' }),
      sentAt: MaybeTime,
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const RecipientsAnswer = {
  description: 'A page of recipients (JSON), or all of them with format=csv',
  content: {
    'application/json': { schema: RecipientPageSchema },
    'text/csv': { schema: Type.Unsafe<unknown>({ type: 'string', description: 'customer_id, external_id, name, email, phone, variant, status, reason, send_at, sent_at' }) },
  },
};
