// The template editor's form: what each kind of template holds, how it becomes the API's input
// and back, and where the server's errors go. Pure.
import type { ChannelKind, MessagePurpose, Template, TemplateFormat, TemplateInput, TemplateVersion, ValidationError } from './api.ts';

export type KakaoType = 'alimtalk' | 'friendtalk';
export type FormButton = { name: string; link: string };
export type TemplateForm = {
  name: string;
  kind: ChannelKind;
  purpose: MessagePurpose;
  format: TemplateFormat;
  subject: string;
  body: string;
  kakaoType: KakaoType;
  templateCode: string;
  buttons: FormButton[];
  url: string;
  icon: string;
};

export const FORMATS: Record<ChannelKind, TemplateFormat[]> = { email: ['mjml', 'html'], sms: ['text'], kakao: ['text'], push: ['text'], webhook: ['json'] };

/** Which kinds have a subject line, and what it is called there. */
export function subjectRole(kind: ChannelKind): 'subject' | 'lmsTitle' | 'title' | null {
  if (kind === 'email') return 'subject';
  if (kind === 'sms') return 'lmsTitle';
  if (kind === 'push') return 'title';
  return null;
}

export const MJML_STARTER = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="16px">
          {{ customer.name | default: "" }}
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

const STARTERS: Partial<Record<TemplateFormat, string>> = { mjml: MJML_STARTER, json: '{\n  "customer": "{{ customer.id }}"\n}\n' };

export function emptyForm(kind: ChannelKind = 'email'): TemplateForm {
  const format = FORMATS[kind][0]!;
  return { name: '', kind, purpose: 'marketing', format, subject: '', body: STARTERS[format] ?? '', kakaoType: 'friendtalk', templateCode: '', buttons: [], url: '', icon: '' };
}

/**
 * The form after choosing another kind: the text is kept, unless it was the untouched starter of
 * the previous format (MJML in an SMS makes no sense), and the format is one the kind allows.
 */
export function changeKind(form: TemplateForm, kind: ChannelKind): TemplateForm {
  const format = FORMATS[kind].includes(form.format) ? form.format : FORMATS[kind][0]!;
  const untouched = !form.body.trim() || form.body === STARTERS[form.format];
  return { ...form, kind, format, body: untouched ? (STARTERS[format] ?? '') : form.body, subject: subjectRole(kind) ? form.subject : '' };
}

/** Template options the kind carries: Kakao's type, template code and buttons; push's link and icon. */
function optionsOf(form: TemplateForm): Record<string, unknown> {
  if (form.kind === 'kakao') {
    const buttons = form.buttons
      .filter((b) => b.name.trim())
      .map((b) => ({ name: b.name.trim(), type: 'WL', ...(b.link.trim() ? { linkMo: b.link.trim(), linkPc: b.link.trim() } : {}) }));
    return { type: form.kakaoType, ...(form.kakaoType === 'alimtalk' ? { templateCode: form.templateCode.trim() } : {}), buttons };
  }
  if (form.kind === 'push') return { ...(form.url.trim() ? { url: form.url.trim() } : {}), ...(form.icon.trim() ? { icon: form.icon.trim() } : {}) };
  return {};
}

export function toInput(form: TemplateForm): TemplateInput {
  return {
    name: form.name.trim(),
    kind: form.kind,
    purpose: form.purpose,
    format: form.format,
    subject: subjectRole(form.kind) && form.subject.trim() ? form.subject : null,
    body: form.body,
    options: optionsOf(form),
  };
}

/** What the server checks as the marketer types (the name is not part of it). */
export function toValidation(form: TemplateForm) {
  const { kind, format, subject, body, options, purpose } = toInput(form);
  return { kind, format, subject, body, options, purpose };
}

export function fromVersion(template: Pick<Template, 'name' | 'kind' | 'purpose'>, version: Pick<TemplateVersion, 'subject' | 'body' | 'format' | 'options'>): TemplateForm {
  const o = version.options ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const buttons = Array.isArray(o.buttons)
    ? (o.buttons as Record<string, unknown>[]).map((b) => ({ name: str(b.name), link: str(b.linkMo) || str(b.linkPc) }))
    : [];
  return {
    ...emptyForm(template.kind),
    name: template.name,
    kind: template.kind,
    purpose: template.purpose,
    format: version.format,
    subject: version.subject ?? '',
    body: version.body,
    kakaoType: o.type === 'alimtalk' ? 'alimtalk' : 'friendtalk',
    templateCode: str(o.templateCode),
    buttons,
    url: str(o.url),
    icon: str(o.icon),
  };
}

export type FieldErrors = { name?: string; subject?: string; body?: string; options?: string; other: string[] };

/**
 * The server's errors by the field they belong to. Fields come as `body`, `subject`,
 * `options.templateCode` or with the request's prefix (`body.subject`: the request body's subject).
 */
export function fieldErrors(errors: readonly ValidationError[]): FieldErrors {
  const out: FieldErrors = { other: [] };
  for (const e of errors) {
    const path = e.field.replace(/^body\.(?=.)/, '').split(/[.[]/);
    const head = path[0];
    const key = head === 'name' || head === 'subject' || head === 'body' || head === 'options' ? head : null;
    // Under its field, a message need not name the field again ("body: unknown variable …").
    const message = key && e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
    if (key) out[key] = out[key] ? `${out[key]}\n${message}` : message;
    else out.other.push(e.field ? `${e.field}: ${e.message}` : e.message);
  }
  return out;
}

/** "body: unknown variable customer.nmae" → the field and its message, from an API error message. */
export function errorFromMessage(message: string): ValidationError {
  const m = /^([\w.[\]]+): (.+)$/s.exec(message);
  return m ? { field: m[1]!, message: m[2]! } : { field: '', message };
}
