// The fixed vocabularies of the customers area, shared by the server and the web UI (so this
// file imports nothing).
export const GENDERS = ['F', 'M', 'X'] as const;
export type Gender = (typeof GENDERS)[number];
export const LIFECYCLE_STAGES = ['lead', 'subscriber', 'customer', 'loyal', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export const IDENTITY_KINDS = ['email', 'phone', 'user_id', 'anonymous_id', 'external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export const CHANNELS = ['email', 'sms', 'kakao', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PURPOSES = ['marketing', 'transactional', 'profiling', 'night_ads'] as const;
export type ConsentPurpose = (typeof PURPOSES)[number];
export const CONSENT_STATUSES = ['granted', 'denied', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export const PREFERENCE_SOURCES = ['survey', 'inferred'] as const;
export type PreferenceSource = (typeof PREFERENCE_SOURCES)[number];
export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date', 'enum', 'list'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export const ATTRIBUTE_PURPOSES = ['service', 'marketing', 'analytics', 'legal'] as const;
export type AttributePurpose = (typeof ATTRIBUTE_PURPOSES)[number];
export const DUPLICATE_REASONS = ['email', 'phone', 'name_birthday', 'name_phone_tail'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/** The standard fields a CSV column can be imported into (besides `attributes.<key>` and `consent.<channel>.<purpose>`). */
export const FIELD_TARGETS = [
  'externalId',
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'locale',
  'timeZone',
  'birthday',
  'gender',
  'signedUpAt',
  'lifecycleStage',
  'tags',
  'source',
] as const;
export type FieldTarget = (typeof FIELD_TARGETS)[number];
