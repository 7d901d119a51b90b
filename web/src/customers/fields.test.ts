import { describe, expect, it } from 'vitest';
import * as server from '../../../src/customers/fields.ts';
import * as web from './fields.ts';

describe('customer vocabularies', () => {
  it.each([
    ['LIFECYCLE_STAGES', web.LIFECYCLE_STAGES, server.LIFECYCLE_STAGES],
    ['GENDERS', web.GENDERS, server.GENDERS],
    ['IDENTITY_KINDS', web.IDENTITY_KINDS, server.IDENTITY_KINDS],
    ['CHANNELS', web.CHANNELS, server.CHANNELS],
    ['PURPOSES', web.PURPOSES, server.PURPOSES],
    ['CONSENT_STATUSES', web.CONSENT_STATUSES, server.CONSENT_STATUSES],
  ])('%s match the server', (_name, ours, theirs) => {
    expect([...ours]).toEqual([...theirs]);
  });

  it('recognises values of a vocabulary only', () => {
    expect(web.isLifecycleStage('loyal')).toBe(true);
    expect(web.isLifecycleStage('vip')).toBe(false);
    expect(web.isChannel(3)).toBe(false);
  });
});
