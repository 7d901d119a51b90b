import { describe, expect, it } from 'vitest';
import { describeDiff, isActorType, isKnownAction, showValue } from './audit-format.ts';

describe('describeDiff', () => {
  it('turns the stored diff into one change per field', () => {
    expect(describeDiff({ name: { from: 'My workspace', to: 'Seoul Store' }, role: { from: null, to: 'admin' } })).toEqual([
      { field: 'name', from: 'My workspace', to: 'Seoul Store' },
      { field: 'role', from: '—', to: 'admin' },
    ]);
  });

  it('shows objects as JSON and ignores what is not a diff', () => {
    expect(describeDiff({ tags: { from: ['a'], to: { b: 1 } } })).toEqual([{ field: 'tags', from: '["a"]', to: '{"b":1}' }]);
    expect(describeDiff(null)).toEqual([]);
    expect(describeDiff([1, 2])).toEqual([]);
    expect(describeDiff('x')).toEqual([]);
  });

  it('shortens long values', () => {
    expect(showValue('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(showValue('')).toBe('—');
    expect(showValue(0)).toBe('0');
    expect(showValue(false)).toBe('false');
  });
});

describe('names', () => {
  it('knows the actions the server records and the kinds of actor', () => {
    expect(isKnownAction('member.role_changed')).toBe(true);
    expect(isKnownAction('customer.merged')).toBe(false);
    expect(isActorType('api_key')).toBe(true);
    expect(isActorType('robot')).toBe(false);
  });
});
