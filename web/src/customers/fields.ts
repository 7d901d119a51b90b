// The fixed vocabularies of the customers area come from the server module itself
// (src/customers/vocabulary.ts imports nothing, so it is safe in the browser).
import {
  ATTRIBUTE_PURPOSES,
  ATTRIBUTE_TYPES,
  CHANNELS,
  CONSENT_STATUSES,
  DUPLICATE_REASONS,
  GENDERS,
  IDENTITY_KINDS,
  LIFECYCLE_STAGES,
  PURPOSES,
  type AttributePurpose,
  type LifecycleStage,
} from '../../../src/customers/vocabulary.ts';

export * from '../../../src/customers/vocabulary.ts';

export const MATCH_BY = ['auto', 'email', 'phone', 'externalId'] as const;
export type MatchBy = (typeof MATCH_BY)[number];

function isOneOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export const isLifecycleStage = isOneOf(LIFECYCLE_STAGES);
export const isGender = isOneOf(GENDERS);
export const isIdentityKind = isOneOf(IDENTITY_KINDS);
export const isChannel = isOneOf(CHANNELS);
export const isConsentPurpose = isOneOf(PURPOSES);
export const isConsentStatus = isOneOf(CONSENT_STATUSES);
export const isAttributeType = isOneOf(ATTRIBUTE_TYPES);
export const isAttributePurpose = isOneOf(ATTRIBUTE_PURPOSES);
export const isDuplicateReason = isOneOf(DUPLICATE_REASONS);
export const isMatchBy = isOneOf(MATCH_BY);

export const STAGE_COLORS: Record<LifecycleStage, string> = {
  lead: 'gray',
  subscriber: 'cyan',
  customer: 'teal',
  loyal: 'grape',
  churned: 'red',
};

export const PURPOSE_COLORS: Record<AttributePurpose, string> = {
  service: 'blue',
  marketing: 'pink',
  analytics: 'violet',
  legal: 'orange',
};
