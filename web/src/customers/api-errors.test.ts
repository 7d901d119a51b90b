import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { conflictOf, mergedInto } from './api-errors.ts';

describe('conflictOf', () => {
  it('names the customer holding an identity', () => {
    expect(conflictOf(new ApiError(409, 'conflict', 'body.email: taken', { field: 'email', customerId: 'c1' }))).toEqual({ field: 'email', customerId: 'c1' });
  });

  it('is null for other errors', () => {
    expect(conflictOf(new ApiError(409, 'conflict', 'x'))).toBeNull();
    expect(conflictOf(new ApiError(400, 'invalid_input', 'x', { customerId: 'c1' }))).toBeNull();
    expect(conflictOf(new Error('x'))).toBeNull();
  });
});

describe('mergedInto', () => {
  it('reads where a merged profile went', () => {
    expect(mergedInto(new ApiError(404, 'not_found', 'customer a was merged into b', { mergedIntoId: 'b' }))).toBe('b');
    expect(mergedInto(new ApiError(404, 'not_found', 'customer a is deleted'))).toBeNull();
  });
});
