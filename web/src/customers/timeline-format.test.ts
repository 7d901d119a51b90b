import { describe, expect, it } from 'vitest';
import { timelineActor, timelineDetail, timelineKindKey } from './timeline-format.ts';

describe('timelineKindKey', () => {
  it.each([
    ['profile.updated', 'profile_updated'],
    ['profile.merge_undo', 'profile_merge_undo'],
    ['note', 'note'],
    ['order', null],
  ])('%s → %s', (kind, key) => {
    expect(timelineKindKey(kind)).toBe(key);
  });
});

describe('timelineDetail', () => {
  it('reads a consent change', () => {
    expect(timelineDetail({ kind: 'consent', data: { channel: 'sms', purpose: 'marketing', status: 'denied', previousStatus: 'granted' } })).toEqual({
      kind: 'consent',
      channel: 'sms',
      purpose: 'marketing',
      status: 'denied',
      previousStatus: 'granted',
    });
  });

  it('reads a note', () => {
    expect(timelineDetail({ kind: 'note', data: { body: 'Called back' } })).toEqual({ kind: 'note', body: 'Called back' });
  });

  it('lists the changed fields of a profile change, without housekeeping', () => {
    expect(timelineDetail({ kind: 'profile.updated', data: { diff: { name: { from: 'Kim', to: '김민지' }, updatedAt: { from: 'a', to: 'b' } } } })).toEqual({
      kind: 'changes',
      changes: [{ field: 'name', from: 'Kim', to: '김민지' }],
    });
  });

  it('has nothing to add otherwise', () => {
    expect(timelineDetail({ kind: 'event', data: null })).toEqual({ kind: 'none' });
  });

  it('names the actor or author', () => {
    expect(timelineActor({ data: { actor: 'owner@example.com' } })).toBe('owner@example.com');
    expect(timelineActor({ data: { author: 'Minji' } })).toBe('Minji');
    expect(timelineActor({ data: {} })).toBeNull();
  });
});
