// HTTP routes of the event explorer (read only): the event list and live stream, one event,
// the names in use and the volume of one name. Personal data is masked for roles without pii.read.
import { Type } from 'typebox';
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { can } from '../workspaces/roles.ts';
import { eventVolume, getEvent, listEventNames, listEvents, streamEvents, VOLUME_INTERVALS, type EventFilter } from './explorer.ts';
import { EventDetailSchema, EventNamesSchema, EventPageSchema, EventVolumeSchema } from './contract.ts';
import { EVENT_TYPES } from './types.ts';

const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time', description: 'ISO 8601 with a time zone, e.g. 2025-05-01T00:00:00+09:00' });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const ListQuery = Type.Object(
  {
    type: Type.Optional(literals(EVENT_TYPES)),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    customerId: Type.Optional(Uuid),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page: older events' })),
    after: Type.Optional(Type.String({ maxLength: 200, description: 'streamCursor of the previous answer: events received since (the live stream)' })),
  },
  { additionalProperties: false },
);

const time = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

export async function registerEventExplorerRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['events'];
  const piiOf = (request: Parameters<typeof caller>[0]) => can(caller(request).role, 'pii.read');

  app.get(
    '/api/events',
    {
      config: { auth: 'analytics.read' },
      schema: {
        tags,
        summary: 'Events, newest received first: filters, cursor paging, and `after` for the live stream',
        description:
          'Without `after`: a page of events, `nextCursor` for older ones. With `after` (a `streamCursor`): the events received since, newest first; ' +
          'answers may repeat events of the last few seconds (drop those whose id you have) and `truncated` says more arrived than `limit`.',
        querystring: ListQuery,
        response: { 200: EventPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const q = request.query;
      if (q.cursor && q.after) throw new AppError('invalid_input', 'query.after: cannot be combined with query.cursor (one pages back, the other streams forward)');
      const filter: EventFilter = { type: q.type, name: q.name, customerId: q.customerId, anonymousId: q.anonymousId, from: time(q.from), to: time(q.to) };
      const common = { workspaceId: c.workspaceId, filter, limit: q.limit ?? 50, pii: piiOf(request), now: Date.now() };
      return q.after ? streamEvents(db, { ...common, after: q.after }) : listEvents(db, { ...common, cursor: q.cursor });
    },
  );

  app.get(
    '/api/events/names',
    {
      config: { auth: 'analytics.read' },
      schema: {
        tags,
        summary: 'Event names in use, most frequent first, with their count over the last `days` days (counted up to `countCap`)',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })) }, { additionalProperties: false }),
        response: { 200: EventNamesSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const days = request.query.days ?? 30;
      const result = await listEventNames(db, { workspaceId: c.workspaceId, since: new Date(Date.now() - days * 86_400_000) });
      return { ...result, days };
    },
  );

  app.get(
    '/api/events/volume',
    {
      config: { auth: 'analytics.read' },
      schema: {
        tags,
        summary: "How many events of one name per hour or day of the workspace's time zone",
        description: 'The range defaults to the last 24 hours (hour) or 30 days (day) and may span at most 31 days of hours or 400 days of days.',
        querystring: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), interval: Type.Optional(literals(VOLUME_INTERVALS)), from: Type.Optional(Time), to: Type.Optional(Time) },
          { additionalProperties: false },
        ),
        response: { 200: EventVolumeSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const q = request.query;
      return eventVolume(db, { workspaceId: c.workspaceId, name: q.name, interval: q.interval ?? 'day', from: time(q.from), to: time(q.to), now: Date.now() });
    },
  );

  app.get(
    '/api/events/:id',
    { config: { auth: 'analytics.read' }, schema: { tags, summary: 'One event with its context and its customer', params: Type.Object({ id: Uuid }), response: { 200: EventDetailSchema } } },
    async (request) => {
      const c = caller(request);
      return getEvent(db, { workspaceId: c.workspaceId, id: request.params.id, pii: piiOf(request) });
    },
  );
}
