// The one place where errors become HTTP responses: {"error":{"code","message","details"}}.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, assertUnreachable, type ErrorCode } from '../errors.ts';
import { safeError } from '../redaction.ts';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertUnreachable(code);
  }
}

type AjvIssue = { instancePath: string; message?: string; params?: Record<string, unknown>; keyword: string };

/** "body.email: must match format \"email\"" from Fastify's schema validation errors. */
function describeValidation(context: string, issues: AjvIssue[]): { message: string; details: { path: string; message: string }[] } {
  const details = issues.map((issue) => {
    let path = context + issue.instancePath.replace(/\//g, '.');
    if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') path += `.${issue.params.missingProperty}`;
    if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
      return { path: `${path}.${issue.params.additionalProperty}`, message: 'is not a known field' };
    }
    return { path, message: issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid') };
  });
  return { message: details.map((d) => `${d.path}: ${d.message}`).join('; '), details };
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (e.validation) {
    // Fastify calls the query string "querystring"; Rapport's own messages, and its users, say "query".
    const context = e.validationContext === 'querystring' ? 'query' : (e.validationContext ?? 'body');
    const { message, details } = describeValidation(context, e.validation);
    return new AppError('invalid_input', message, details);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_input', `body: ${e.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_input', `content-type: ${e.message}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_input', e.message);
  }
  if (e.statusCode === 429) return new AppError('rate_limited', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode === 404 ? 'not_found' : e.statusCode === 413 ? 'payload_too_large' : 'invalid_input', e.message);
  }
  return new AppError('internal', 'Internal server error');
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(err);
  // The error's query parameters are counted, not logged: they are customers' data (src/redaction.ts).
  if (appError.code === 'internal') request.log.error({ error: safeError(err) }, 'request failed');
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: appError.code, message: appError.message },
  };
  if (appError.details !== undefined) body.error.details = appError.details;
  return reply.status(statusOf(appError.code)).type('application/json').send(body);
}

/** The schema of an error response, for OpenAPI. */
export const errorResponseSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
} as const;
