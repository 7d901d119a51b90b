// Test helper: stored events as ingestion hands them to the commerce area, with increasing
// timestamps so that a test's events happen in the order it writes them.
import { uuidv7 } from '../db/uuid.ts';
import type { StoredEvent } from '../events/types.ts';

let clock = Date.parse('2024-06-01T09:00:00Z');

export function trackEvent(name: string, properties: Record<string, unknown>, who: { customerId?: string | null; anonymousId?: string | null; at?: Date } = {}): StoredEvent {
  clock += 1000;
  const id = uuidv7();
  return {
    id,
    messageId: `test-${id}`,
    customerId: who.customerId ?? null,
    anonymousId: who.anonymousId ?? null,
    userId: null,
    type: 'track',
    name,
    sessionId: null,
    properties,
    context: {},
    timestamp: who.at ?? new Date(clock),
    receivedAt: new Date(),
  };
}
