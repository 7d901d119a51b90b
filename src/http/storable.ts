// Query values and numbers PostgreSQL cannot take, refused for every route with a 400 naming the
// field: a NUL or lone surrogate in a query or path value (JSON bodies: src/http/body.ts); a
// number as small as 5e-324 (subnormal), "out of range for type double precision" once it reaches
// a float comparison or column (anything between 0 and ±1e-300 is no real quantity); and a query's
// 1e309, which ajv coerces to Infinity and then lets past `maximum` (even with strictNumbers).
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { findUnstorable } from './body.ts';

export const SMALLEST_NUMBER = 1e-300;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The first number of `value` PostgreSQL cannot take, as `body.a[2].b: …`, or null. Iterative. */
export function findUnusableNumber(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${path}: must be a finite number`;
      if (v !== 0 && Math.abs(v) < SMALLEST_NUMBER) return `${path}: ${v} is too small a number (use 0, or one of at least ${SMALLEST_NUMBER} in size)`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
      for (const [k, x] of Object.entries(v)) stack.push([x, IDENTIFIER.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`]);
    }
  }
  return null;
}

/** preHandler (after validation, so query numbers are numbers). */
export async function refuseUnstorableInput(request: FastifyRequest): Promise<void> {
  const problem =
    findUnstorable(request.query, 'query') ?? findUnstorable(request.params, 'params') ?? findUnusableNumber(request.query, 'query') ?? findUnusableNumber(request.body, 'body');
  if (problem) throw new AppError('invalid_input', problem);
}
