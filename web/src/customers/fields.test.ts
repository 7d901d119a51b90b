import { describe, expect, it } from 'vitest';
import * as web from './fields.ts';

describe('customer vocabularies', () => {
  it('recognises values of a vocabulary only', () => {
    expect(web.isLifecycleStage('loyal')).toBe(true);
    expect(web.isLifecycleStage('vip')).toBe(false);
    expect(web.isChannel(3)).toBe(false);
    expect(web.isMatchBy('externalId')).toBe(true);
  });
});
