// The pieces the messaging API's response schemas are written with (contract.ts for channels,
// rules, messages and the Sandbox; template-contract.ts for templates): one definition each, so
// both documents say a time, an id, a vocabulary or an open object the same way.
import { Type, type TProperties } from 'typebox';

export const Text = Type.Union([Type.String(), Type.Null()]);
export const Time = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
export const OneOf = (values: readonly string[], description?: string) => Type.String({ enum: [...values], ...(description ? { description } : {}) });
/**
 * A vocabulary value or null. Written out (not a union) so the OpenAPI 3.0 document lists null in
 * the enum: Fastify's swagger turns a union with null into `nullable`, whose enum would refuse null.
 */
export const MaybeOneOf = (values: readonly string[], description?: string) =>
  Type.Unsafe<string | null>({ type: 'string', nullable: true, enum: [...values, null], ...(description ? { description } : {}) });
/** An object that may gain fields. */
export const Open = <P extends TProperties>(properties: P, description?: string) => Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });
/** Any JSON object. */
export const Json = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });
