// The fixed vocabularies of the customers area. They repeat src/customers/fields.ts (which pulls
// in the phone number library, too big for the browser); fields.test.ts keeps the two equal.
export const LIFECYCLE_STAGES = ['lead', 'subscriber', 'customer', 'loyal', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export const GENDERS = ['F', 'M', 'X'] as const;
export type Gender = (typeof GENDERS)[number];
export const IDENTITY_KINDS = ['email', 'phone', 'user_id', 'anonymous_id', 'external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export const CHANNELS = ['email', 'sms', 'kakao', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PURPOSES = ['marketing', 'transactional', 'profiling', 'night_ads'] as const;
export type ConsentPurpose = (typeof PURPOSES)[number];
export const CONSENT_STATUSES = ['granted', 'denied', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date', 'enum', 'list'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export const ATTRIBUTE_PURPOSES = ['service', 'marketing', 'analytics', 'legal'] as const;
export type AttributePurpose = (typeof ATTRIBUTE_PURPOSES)[number];

export const DUPLICATE_REASONS = ['email', 'phone', 'name_birthday', 'name_phone_tail'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

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
