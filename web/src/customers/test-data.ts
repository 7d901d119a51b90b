// A customer to build test cases from (tests only).
import type { Customer } from './api.ts';

export function customerFixture(overrides: Partial<Customer> = {}): Customer {
  return {
    id: '0193abcd-0000-7000-8000-000000000001',
    externalId: null,
    email: null,
    phone: null,
    name: null,
    locale: null,
    timeZone: null,
    birthday: null,
    gender: null,
    signedUpAt: null,
    lifecycleStage: null,
    ownerUserId: null,
    tags: [],
    source: null,
    attributes: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    deletedAt: null,
    mergedIntoId: null,
    erasedAt: null,
    masked: false,
    ...overrides,
  };
}
