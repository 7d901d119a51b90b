// Request and response schemas of the templates API (/api/templates), for validation, the OpenAPI
// document and the fuzz run that checks answers against it. Objects that may gain fields say so
// (additionalProperties); vocabularies are string enums; times are ISO strings.
import { Type } from 'typebox';
import { Json, MaybeOneOf, OneOf, Open, Text, Time, Uuid } from './schema-parts.ts';
import { CHANNEL_KINDS, MESSAGE_PURPOSES } from './types.ts';
import { TEMPLATE_FORMATS } from './template-render.ts';

// --- requests -----------------------------------------------------------------------------------

const KakaoButton = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: OneOf(['WL', 'AL', 'BK', 'MD', 'DS'], 'WL web link, AL app link, BK bot keyword, MD message delivery, DS delivery search'),
    linkMo: Type.Optional(Type.String({ maxLength: 2000 })),
    linkPc: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

/** Kakao: { type, templateCode, buttons }; push: { url, icon }; other kinds: none. */
export const TemplateOptions = Type.Object(
  {
    type: Type.Optional(OneOf(['alimtalk', 'friendtalk'])),
    templateCode: Type.Optional(Type.String({ maxLength: 100 })),
    buttons: Type.Optional(Type.Array(KakaoButton, { maxItems: 5 })),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    icon: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, description: 'Kakao: type, templateCode, buttons (Liquid in names and links); push: url, icon' },
);

const contentFields = {
  format: Type.Optional(OneOf(TEMPLATE_FORMATS, 'email: mjml | html; sms, kakao, push: text; webhook: json')),
  subject: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], { description: 'E-mail subject, push title or LMS title (Liquid)' })),
  body: Type.String({ maxLength: 500_000, description: 'Liquid: MJML or HTML for e-mail, text for SMS/Kakao/push, JSON for webhooks' }),
  options: Type.Optional(TemplateOptions),
};

export const TemplateCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: OneOf(CHANNEL_KINDS),
    purpose: Type.Optional(OneOf(MESSAGE_PURPOSES, 'marketing (default) or transactional: what a message from it is unless the sender says otherwise')),
    ...contentFields,
  },
  { additionalProperties: false },
);

export const TemplateUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    purpose: Type.Optional(OneOf(MESSAGE_PURPOSES)),
    format: contentFields.format,
    subject: contentFields.subject,
    body: Type.Optional(contentFields.body),
    options: contentFields.options,
  },
  { additionalProperties: false },
);

export const TemplateListQuery = Type.Object(
  {
    kind: Type.Optional(OneOf(CHANNEL_KINDS)),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the name' })),
    archived: Type.Optional(Type.Boolean({ description: 'true: the archived templates instead' })),
  },
  { additionalProperties: false },
);

export const TemplateIdParams = Type.Object({ id: Uuid });
export const TemplateGetQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) }, { additionalProperties: false });

export const PreviewBody = Type.Object(
  {
    customerId: Uuid,
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'The latest when not given' })),
    data: Type.Optional(Json('Values for {{ data.… }}, as a sender would pass them')),
  },
  { additionalProperties: false },
);

export const ValidateBody = Type.Object(
  {
    kind: OneOf(CHANNEL_KINDS),
    purpose: Type.Optional(OneOf(MESSAGE_PURPOSES)),
    ...contentFields,
    customerId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'Count bytes for this customer instead of a sample one' })),
  },
  { additionalProperties: false },
);

// --- answers ------------------------------------------------------------------------------------

const Issue = Open({
  field: Type.String({ description: 'subject, body, format, options.buttons[0].linkMo, …' }),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  col: Type.Optional(Type.Integer()),
});

const SmsFigures = Open({
  bytes: Type.Integer({ description: 'EUC-KR bytes, advertising marks included' }),
  type: MaybeOneOf(['SMS', 'LMS'], 'null: over 2,000 bytes, cannot be sent'),
  unencodable: Type.Array(Type.String(), { description: 'Characters EUC-KR cannot carry (counted as 2 bytes)' }),
  titleBytes: Type.Optional(Type.Integer()),
});

const TemplateFields = {
  id: Uuid,
  name: Type.String(),
  label: Type.String({ description: 'Name and version, e.g. "Spring sale (v3)"' }),
  kind: OneOf(CHANNEL_KINDS),
  purpose: OneOf(MESSAGE_PURPOSES),
  latestVersion: Type.Integer(),
  createdAt: Time,
  updatedAt: Time,
  archivedAt: Type.Union([Time, Type.Null()]),
};

export const TemplateSchema = Open(TemplateFields);
export const TemplateListSchema = Open({ items: Type.Array(TemplateSchema) });

const VersionFields = {
  templateId: Uuid,
  version: Type.Integer(),
  subject: Text,
  body: Type.String(),
  format: OneOf(TEMPLATE_FORMATS),
  options: Json('Kakao: type, templateCode, buttons; push: url, icon'),
  createdByLabel: Text,
  createdAt: Time,
};
export const VersionSchema = Open({ ...VersionFields, compiled: Type.Union([Type.String(), Type.Null()], { description: 'MJML compiled to HTML (Liquid kept)' }) });
export const VersionListSchema = Open({ items: Type.Array(Open(VersionFields)) });

export const TemplateDetailSchema = Open({ ...TemplateFields, version: VersionSchema, warnings: Type.Optional(Type.Array(Issue)) });

export const ValidationSchema = Open({
  ok: Type.Boolean(),
  errors: Type.Array(Issue),
  warnings: Type.Array(Issue),
  format: MaybeOneOf(TEMPLATE_FORMATS),
  bytes: Type.Union([Type.Integer(), Type.Null()], { description: 'SMS: EUC-KR bytes; null for other kinds' }),
  type: MaybeOneOf(['SMS', 'LMS'], 'SMS: the type it goes as'),
  sms: Type.Union([SmsFigures, Type.Null()]),
  kakao: Type.Union([Open({ characters: Type.Integer() }), Type.Null()]),
  html: Type.Union([Type.String(), Type.Null()], { description: 'E-mail: the HTML MJML compiles to (Liquid kept)' }),
});

export const PreviewSchema = Open({
  template: Open({ id: Uuid, name: Type.String(), label: Type.String(), version: Type.Integer(), kind: OneOf(CHANNEL_KINDS), purpose: OneOf(MESSAGE_PURPOSES) }),
  customer: Open({ id: Uuid, name: Text, grade: Text }),
  masked: Type.Boolean({ description: 'True when personal data is masked for the caller' }),
  subject: Text,
  html: Text,
  text: Type.String({ description: 'E-mail: the plain-text part; other kinds: the text as sent' }),
  title: Text,
  sms: Type.Union([SmsFigures, Type.Null()]),
  kakao: Type.Union([Open({ type: Text, characters: Type.Integer(), buttons: Type.Array(Json()) }), Type.Null()]),
  push: Type.Union([Open({ title: Type.String(), body: Type.String(), url: Text, icon: Text }), Type.Null()]),
  json: Type.Union([Json('Webhook: the body as sent'), Type.Null()]),
  errors: Type.Array(Issue, { description: 'Why it could not be sent as it is (over 2,000 bytes, a value missing in data…)' }),
});
