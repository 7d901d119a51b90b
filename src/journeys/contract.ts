// Request and response schemas of the journeys API (routes.ts), in one place. The definition is
// checked by graph.ts (checkJourneyShape), which names the field at fault; here it is any object.
import { Type } from 'typebox';
import { Json, Open, OneOf, Text, Time, Uuid } from '../messaging/schema-parts.ts';
import { STARTER_KEYS } from './starters.ts';
import { JOURNEY_STATUSES, RUN_STATUSES } from './views.ts';

export const Definition = Json('Trigger, entry and exit rules, steps (graph.start, graph.steps) and holdoutShare: see docs/journeys.md');
export const ProblemSchema = Open({ path: Type.String(), code: Type.String(), message: Type.String() });

export const JourneySchema = Open({
  id: Uuid,
  name: Type.String(),
  description: Text,
  status: OneOf(JOURNEY_STATUSES),
  version: Type.Integer(),
  changedSinceVersion: Type.Boolean(),
  starterKey: Type.Union([OneOf(STARTER_KEYS), Type.Null()]),
  definition: Definition,
  problems: Type.Array(ProblemSchema),
  activeRuns: Type.Integer(),
  enteredRuns: Type.Integer(),
  createdBy: Text,
  createdAt: Time,
  updatedAt: Time,
  activatedAt: Type.Union([Time, Type.Null()]),
  pausedAt: Type.Union([Time, Type.Null()]),
});
export const JourneyListSchema = Open({ items: Type.Array(JourneySchema) });
export const StarterListSchema = Open({ items: Type.Array(Open({ key: OneOf(STARTER_KEYS), name: Type.String(), definition: Definition })) });

export const JourneyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    definition: Type.Optional(Definition),
    starterKey: Type.Optional(OneOf(STARTER_KEYS)),
  },
  { additionalProperties: false },
);
export const JourneyPatchBody = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 200 })), description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])), definition: Type.Optional(Definition) },
  { additionalProperties: false },
);
export const ActivateBody = Type.Object({ moveWaitingRuns: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const EnterBody = Type.Object(
  { customerId: Uuid, data: Type.Optional(Json('Values for the templates, as data.*')), idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

const RunStep = Open({ seq: Type.Integer(), stepId: Type.String(), stepType: Type.String(), label: Text, outcome: Type.String(), at: Time, messageId: Type.Union([Uuid, Type.Null()]), detail: Type.Union([Json(), Type.Null()]) });
export const RunSchema = Open({
  id: Uuid,
  journeyId: Uuid,
  version: Type.Integer(),
  customerId: Uuid,
  status: OneOf(RUN_STATUSES),
  stepId: Text,
  stepLabel: Text,
  stepType: Text,
  waiting: Type.Boolean(),
  dueAt: Type.Union([Time, Type.Null()]),
  holdout: Type.Boolean(),
  enteredAt: Time,
  finishedAt: Type.Union([Time, Type.Null()]),
  exitReason: Text,
  steps: Type.Array(RunStep),
});
export const RunPageSchema = Open({ items: Type.Array(RunSchema), nextCursor: Text });
export const EnteredSchema = Open({
  entered: Type.Boolean(),
  reason: Type.Union([OneOf(['no_customer', 'already_in', 'entered_before', 'not_in_segment', 'same_key'], 'Why the customer did not enter'), Type.Null()]),
  run: Type.Union([RunSchema, Type.Null()]),
});

const Group = Open({ runs: Type.Integer(), converted: Type.Integer(), rate: Type.Number() });
export const ReportSchema = Open({
  journeyId: Uuid,
  totals: Open({ entered: Type.Integer(), active: Type.Integer(), completed: Type.Integer(), converted: Type.Integer(), exited: Type.Integer(), failed: Type.Integer(), heldOut: Type.Integer() }),
  steps: Type.Array(Open({ stepId: Type.String(), type: Type.String(), label: Text, reached: Type.Integer(), waiting: Type.Integer(), outcomes: Type.Record(Type.String(), Type.Integer()), messages: Type.Optional(Open({ sent: Type.Integer(), opened: Type.Integer(), clicked: Type.Integer() })) })),
  messages: Open({ created: Type.Integer(), sent: Type.Integer(), delivered: Type.Integer(), opened: Type.Integer(), clicked: Type.Integer(), suppressed: Type.Integer(), failed: Type.Integer() }),
  goal: Open({
    event: Text,
    windowDays: Type.Union([Type.Integer(), Type.Null()]),
    treated: Group,
    holdout: Group,
    uplift: Type.Union([Open({ difference: Type.Number(), low: Type.Number(), high: Type.Number() }), Type.Null()]),
    revenue: Type.Number(),
  }),
});
