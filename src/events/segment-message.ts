// Segment's message format (https://segment.com/docs/connections/spec/): reading a request body
// and turning each message into the event Rapport stores. Pure: no I/O, the clock is passed in.
//
// Hand-written rather than a JSON schema because the spec is lenient in ways a schema states
// badly (ids may be numbers, requirements depend on `type`) and every problem must name its item
// while the other items of the batch are kept. docs/events.md is the contract.
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { DATE_RANGE_TEXT, toTime } from '../dates.ts';
import { EVENT_TYPES, type EventType } from './types.ts';
import { isRapportEvent, RAPPORT_LIBRARY } from './metrics/fold.ts';

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_DEPTH = 32;
/** Longest user id, anonymous id or previous id (the identity graph's limit). */
export const MAX_ID_LENGTH = 320;
const MAX_TEXT_LENGTH = 255;
// Timestamps more than this after the time of receipt are refused (a sender clock gone wrong).
const MAX_FUTURE_MS = 24 * 3600_000;
const EARLIEST = Date.UTC(1970, 0, 1);

/** One message, validated and normalised: what ingestion stores and acts on. */
export type IngestMessage = {
  /** Position in the request (`batch[index]`). */
  index: number;
  messageId: string;
  /** True when the sender gave no messageId and one was generated (a retry of it cannot be recognised). */
  generatedId: boolean;
  type: EventType;
  userId: string | null;
  anonymousId: string | null;
  /** Track: the event name; page and screen: the page name. */
  name: string | null;
  sessionId: string | null;
  /** What is stored: track/page/screen properties, identify/group traits, alias `{ previousId }`. */
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  timestamp: Date;
  /** When the request carrying it arrived. */
  receivedAt: Date;
  /** identify and group: the traits (identify also takes `context.traits`). */
  traits: Record<string, unknown> | null;
  groupId: string | null;
  previousId: string | null;
};

export type ItemError = { index: number; message: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bytes = (n: number) => n.toLocaleString('en-US');

// --- body -------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How deep `value` nests, counting `value` itself as level 1; stops counting past `limit`. */
function depthOver(value: unknown, limit: number, level = 1): boolean {
  if (level > limit) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null && depthOver(v, limit, level + 1)) return true;
  } else if (typeof value === 'object' && value !== null) {
    for (const k in value) {
      const v = (value as Json)[k];
      if (typeof v === 'object' && v !== null && depthOver(v, limit, level + 1)) return true;
    }
  }
  return false;
}

/**
 * A request body (JSON whatever its Content-Type: browsers send text/plain to avoid a CORS
 * preflight) as a JSON object, or a 400 that says what is wrong with it.
 */
export function parseSegmentBody(raw: Buffer): Json {
  if (raw.length === 0) throw new AppError('invalid_input', 'body: is empty; send a JSON object');
  if (raw.length > MAX_BATCH_BYTES) {
    throw new AppError('invalid_input', `body: the request is ${bytes(raw.length)} bytes; the limit is ${MAX_BATCH_BYTES / 1024} KB (send smaller batches)`);
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new AppError('invalid_input', 'body: is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_input', `body: is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw new AppError('invalid_input', `body: must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`);
  if (depthOver(value, MAX_DEPTH)) throw new AppError('invalid_input', `body: nests deeper than ${MAX_DEPTH} levels`);
  return value;
}

// --- messages ---------------------------------------------------------------------------------

// A NUL character or half a surrogate pair is valid JSON text but cannot be stored in jsonb.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? `${path}: contains a NUL character or an unpaired surrogate, which cannot be stored` : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (UNSTORABLE.test(key)) return `${path}: a key contains a NUL character or an unpaired surrogate, which cannot be stored`;
      const found = unstorableText(value[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

class ItemProblem extends Error {}
const problem = (message: string): never => {
  throw new ItemProblem(message);
};

/** An id: a non-empty string (or a number, which some libraries send), trimmed. */
function idOf(value: unknown, path: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return problem(`${path}: must be a string`);
  if (text === '') return null;
  if (text.length > max) problem(`${path}: must be at most ${max} characters`);
  return text;
}

function textOf(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return problem(`${path}: must be a string`);
  const text = value.trim();
  if (text.length > MAX_TEXT_LENGTH) problem(`${path}: must be at most ${MAX_TEXT_LENGTH} characters`);
  return text === '' ? null : text;
}

function objectOf(value: unknown, path: string): Json | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) problem(`${path}: must be an object`);
  return value as Json;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

function dateOf(value: unknown, path: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !ISO_DATE.test(value.trim())) return problem(`${path}: must be an ISO 8601 date-time such as 2024-03-07T09:30:00.000Z`);
  // Date() rolls 2024-02-31 over to March and reads the year 0000 as 2000: the one range of
  // src/dates.ts decides, as for every other date Rapport takes.
  const at = toTime(value.trim());
  if (!at) return problem(`${path}: "${value}" is not a real date ${DATE_RANGE_TEXT}`);
  return at;
}

export type MessageDefaults = {
  /** The path's call type (`/v1/track`); undefined for `/v1/batch`, where each item names its own. */
  type?: EventType;
  /** Batch-level `context`: merged into each message's context, the message's keys win. */
  context?: Json | null;
  /** Batch-level `sentAt`, for messages that carry none. */
  sentAt?: Date | null;
  receivedAt: Date;
  /** `batch[i]` by default; `body` for a single call. */
  pathOf?: (index: number) => string;
};

const TYPES = new Set<string>(EVENT_TYPES);

/**
 * Clock skew: the sender's clock may be wrong, but the time between the event and the sending
 * is right, so `timestamp = receivedAt − (sentAt − timestamp)`.
 */
export function correctedTimestamp(opts: { timestamp: Date | null; sentAt: Date | null; receivedAt: Date }): Date {
  const { timestamp, sentAt, receivedAt } = opts;
  if (!timestamp) return receivedAt;
  if (!sentAt) return timestamp;
  return new Date(receivedAt.getTime() - (sentAt.getTime() - timestamp.getTime()));
}

function readMessage(raw: unknown, index: number, defaults: MessageDefaults): IngestMessage {
  const path = defaults.pathOf ? defaults.pathOf(index) : `batch[${index}]`;
  if (!isObject(raw)) return problem(`${path}: must be an object`);
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_EVENT_BYTES) problem(`${path}: event is ${bytes(size)} bytes; the limit is ${MAX_EVENT_BYTES / 1024} KB`);

  let type: EventType;
  if (defaults.type) type = defaults.type;
  else {
    if (raw.type === undefined || raw.type === null || raw.type === '') problem(`${path}.type: is required (one of ${EVENT_TYPES.join(', ')})`);
    if (typeof raw.type !== 'string' || !TYPES.has(raw.type)) problem(`${path}.type: must be one of ${EVENT_TYPES.join(', ')}`);
    type = raw.type as EventType;
  }

  const givenId = idOf(raw.messageId, `${path}.messageId`, MAX_TEXT_LENGTH);
  const userId = idOf(raw.userId, `${path}.userId`, MAX_ID_LENGTH);
  const anonymousId = idOf(raw.anonymousId, `${path}.anonymousId`, MAX_ID_LENGTH);
  const previousId = type === 'alias' ? idOf(raw.previousId, `${path}.previousId`, MAX_ID_LENGTH) : null;
  if (type === 'alias') {
    if (!previousId) problem(`${path}.previousId: required for an alias call`);
    if (!userId) problem(`${path}.userId: required for an alias call`);
  } else if (!userId && !anonymousId) problem(`${path}: needs a userId or an anonymousId`);

  const ownContext = objectOf(raw.context, `${path}.context`);
  const context: Json = defaults.context ? { ...defaults.context, ...ownContext } : { ...ownContext };
  // The library name Rapport gives its own events (Segment Entered, Cart Abandoned…), which the
  // metrics count for nothing: a sender that took it could hide activity or forge Rapport's events.
  if (isRapportEvent(context)) problem(`${path}.context.library.name: "${RAPPORT_LIBRARY}" is reserved for the events Rapport writes itself`);
  objectOf(raw.integrations, `${path}.integrations`); // accepted, not used: Rapport is the destination

  let name: string | null = null;
  let properties: Json = {};
  let traits: Json | null = null;
  let groupId: string | null = null;
  switch (type) {
    case 'track':
      name = textOf(raw.event, `${path}.event`);
      if (!name) problem(`${path}.event: required for a track call`);
      properties = { ...objectOf(raw.properties, `${path}.properties`) };
      break;
    case 'page':
    case 'screen': {
      name = textOf(raw.name, `${path}.name`);
      properties = { ...objectOf(raw.properties, `${path}.properties`) };
      const category = textOf(raw.category, `${path}.category`);
      if (category && properties.category === undefined) properties.category = category;
      break;
    }
    case 'identify': {
      const contextTraits = objectOf(context.traits, `${path}.context.traits`);
      traits = { ...contextTraits, ...objectOf(raw.traits, `${path}.traits`) };
      properties = traits;
      break;
    }
    case 'group':
      groupId = idOf(raw.groupId, `${path}.groupId`, MAX_TEXT_LENGTH);
      if (!groupId) problem(`${path}.groupId: required for a group call`);
      traits = { ...objectOf(raw.traits, `${path}.traits`) };
      properties = { ...traits, groupId };
      break;
    case 'alias':
      properties = { previousId };
      break;
  }

  const sentAt = dateOf(raw.sentAt, `${path}.sentAt`) ?? defaults.sentAt ?? null;
  const given = dateOf(raw.timestamp, `${path}.timestamp`) ?? dateOf(raw.originalTimestamp, `${path}.originalTimestamp`);
  const timestamp = correctedTimestamp({ timestamp: given, sentAt, receivedAt: defaults.receivedAt });
  if (timestamp.getTime() > defaults.receivedAt.getTime() + MAX_FUTURE_MS) problem(`${path}.timestamp: ${timestamp.toISOString()} is more than a day in the future`);
  if (timestamp.getTime() < EARLIEST) problem(`${path}.timestamp: ${timestamp.toISOString()} is before 1970`);

  const sessionRaw = context.sessionId ?? properties.session_id;
  const sessionId = typeof sessionRaw === 'string' || typeof sessionRaw === 'number' ? String(sessionRaw).slice(0, MAX_TEXT_LENGTH) || null : null;

  const bad = unstorableText(properties, `${path}.${type === 'identify' || type === 'group' ? 'traits' : 'properties'}`) ?? unstorableText(context, `${path}.context`);
  if (bad) problem(bad);
  const badId = [givenId, userId, anonymousId, name, groupId, previousId].find((v) => v !== null && UNSTORABLE.test(v));
  if (badId !== undefined) problem(`${path}: an id or name contains a NUL character or an unpaired surrogate, which cannot be stored`);

  return {
    index,
    messageId: givenId ?? uuidv7(),
    generatedId: givenId === null,
    type,
    userId,
    anonymousId,
    name,
    sessionId,
    properties,
    context,
    timestamp,
    receivedAt: defaults.receivedAt,
    traits,
    groupId,
    previousId,
  };
}

/** Validates and normalises every message; the invalid ones are reported by index, the rest kept. */
export function readMessages(messages: unknown[], defaults: MessageDefaults): { messages: IngestMessage[]; errors: ItemError[] } {
  const valid: IngestMessage[] = [];
  const errors: ItemError[] = [];
  messages.forEach((raw, index) => {
    try {
      valid.push(readMessage(raw, index, defaults));
    } catch (err) {
      if (!(err instanceof ItemProblem)) throw err;
      errors.push({ index, message: err.message });
    }
  });
  return { messages: valid, errors };
}

export type RequestShape = { messages: unknown[]; context: Json | null; sentAt: Date | null; writeKey: string | null; single: boolean };

/**
 * The parts of a request body: `/v1/batch` takes `{ batch: [...], context?, sentAt?, writeKey? }`;
 * a single call (`/v1/track`, `/v1/t`, …) is itself the message.
 */
export function requestShape(body: Json, opts: { batch: boolean }): RequestShape {
  const writeKey = typeof body.writeKey === 'string' && body.writeKey.trim() ? body.writeKey.trim() : null;
  if (!opts.batch) return { messages: [body], context: null, sentAt: null, writeKey, single: true };
  if (!Array.isArray(body.batch)) throw new AppError('invalid_input', 'body.batch: must be an array of messages');
  if (body.batch.length === 0) throw new AppError('invalid_input', 'body.batch: is empty');
  let context: Json | null = null;
  let sentAt: Date | null = null;
  try {
    context = objectOf(body.context, 'body.context');
    sentAt = dateOf(body.sentAt, 'body.sentAt');
  } catch (err) {
    if (err instanceof ItemProblem) throw new AppError('invalid_input', err.message);
    throw err;
  }
  return { messages: body.batch, context, sentAt, writeKey, single: false };
}
