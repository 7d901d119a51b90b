// What /api/openapi.json says beyond each route's own schema: every operation documents its error
// answers (the one error body of src/http/errors.ts for any 4xx), and a route that declares no
// response schema documents a success (2XX) without a body schema: no promise it cannot keep.
import type { FastifySchema } from 'fastify';
import { errorResponseSchema } from './errors.ts';

type RouteSchema = { hide?: boolean; response?: Record<string, unknown> } & Record<string, unknown>;

const clientError = { description: 'Refused: bad input (naming the field), not signed in, not allowed, not found, conflict, too large, rate limited', ...errorResponseSchema };

/** @fastify/swagger's `transform`: documentation only, the route's own validation and serialisation stay as they are. */
export function documentErrors({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  const s = schema as RouteSchema | undefined;
  if (!s || s.hide) return { schema, url };
  const response = s.response ?? { '2xx': { description: 'Success (the body is not described yet)', type: 'null' } };
  return { schema: { ...s, response: { '4xx': clientError, ...response } } as FastifySchema, url };
}
