// Checking a template's content when it is saved, and rendering it for one customer when it is
// sent. A version's Liquid is parsed once per process (cached by workspace, template and version),
// and its MJML was compiled to HTML once when it was saved, so a 100k send only renders Liquid.
import { convert } from 'html-to-text';
import type { Template } from 'liquidjs';
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { countEucKr, LMS_MAX_BYTES, LMS_TITLE_MAX_BYTES, smsType, adWrap } from './korean.ts';
import { checkLiquid, compileMjml, liquidEngine, liquidIssue, liquidTags, Lru, type Escape, type TemplateIssue } from './liquid.ts';
import { contextVariables, sampleContext, type LiquidContext } from './template-context.ts';
import type { ChannelKind, MessagePurpose } from './types.ts';

export const TEMPLATE_FORMATS = ['mjml', 'html', 'text', 'json'] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

/** Which formats each kind of template is written in (the first is the default). */
export const FORMATS_OF: Record<ChannelKind, readonly TemplateFormat[]> = { email: ['mjml', 'html'], sms: ['text'], kakao: ['text'], push: ['text'], webhook: ['json'] };

export const KAKAO_BUTTON_TYPES = ['WL', 'AL', 'BK', 'MD', 'DS'] as const;
/** Kakao's limits: 1,000 characters of text, 5 buttons, 14 characters a button name. */
export const KAKAO_MAX_CHARS = 1000;
export const KAKAO_MAX_BUTTONS = 5;
export const KAKAO_BUTTON_NAME_MAX = 14;

/** A template's content: what one version holds. */
export type TemplateContent = {
  kind: ChannelKind;
  format?: TemplateFormat;
  /** E-mail subject, push title or LMS title (Liquid). */
  subject?: string | null;
  body: string;
  /** Kakao: { type, templateCode, buttons }; push: { url, icon }. */
  options?: Record<string, unknown>;
};

export type ValidateOptions = {
  purpose?: MessagePurpose;
  /** The workspace's custom attribute keys: `customer.attributes.<other>` is then refused. */
  attributeKeys?: string[];
  workspaceName?: string;
  /** For an ad's byte count: the marks the text will carry. */
  senderName?: string | null;
  optOutNumber?: string | null;
  /** Renders the estimate for this customer instead of the made-up one. */
  context?: LiquidContext;
};

/** The editor's live figures, from the template rendered for a sample (or chosen) customer. */
export type TemplateEstimate = {
  sms?: { bytes: number; type: 'SMS' | 'LMS' | null; unencodable: string[]; titleBytes?: number };
  kakao?: { characters: number };
};

export type ValidationResult =
  | { ok: true; format: TemplateFormat; compiled: string | null; options: Record<string, unknown>; warnings: TemplateIssue[]; estimate: TemplateEstimate }
  | { ok: false; errors: TemplateIssue[]; warnings: TemplateIssue[]; estimate: TemplateEstimate };

/** A version (or a caller's one-off content) ready to render. */
export type RenderSource = TemplateContent & {
  workspaceId?: string;
  templateId?: string;
  version?: number;
  /** MJML compiled to HTML when the version was saved. */
  compiled?: string | null;
};

export type RenderedTemplate = {
  subject?: string;
  /** E-mail: the HTML; otherwise the text (webhook: JSON text). */
  body: string;
  /** E-mail: the plain-text part. */
  text?: string;
  /** SMS (LMS title) and push. */
  title?: string;
  /** The options with their Liquid rendered (Kakao button links, push URL). */
  options: Record<string, unknown>;
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a field's outputs are escaped: HTML in e-mail bodies, JSON values in webhook bodies, nothing in texts. */
function escapeOf(kind: ChannelKind, field: 'subject' | 'body' | 'option'): Escape {
  if (field !== 'body') return 'none';
  if (kind === 'email') return 'html';
  return kind === 'webhook' ? 'json' : 'none';
}

/** The option strings that hold Liquid, by path: Kakao button names and links, the push URL and icon. */
function liquidOptions(kind: ChannelKind, options: Record<string, unknown>): [path: string, text: string][] {
  const out: [string, string][] = [];
  if (kind === 'kakao' && Array.isArray(options.buttons)) {
    options.buttons.forEach((b, i) => {
      if (!isRecord(b)) return;
      for (const key of ['name', 'linkMo', 'linkPc'] as const) if (typeof b[key] === 'string') out.push([`options.buttons[${i}].${key}`, b[key] as string]);
    });
  }
  if (kind === 'push') for (const key of ['url', 'icon'] as const) if (typeof options[key] === 'string') out.push([`options.${key}`, options[key] as string]);
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const m = /^options\.(?:buttons\[(\d+)\]\.)?(\w+)$/.exec(path);
  if (!m) return;
  if (m[1] === undefined) target[m[2]!] = value;
  else (target.buttons as Record<string, unknown>[])[Number(m[1])]![m[2]!] = value;
}

function checkOptions(content: TemplateContent, purpose: MessagePurpose | undefined): { options: Record<string, unknown>; errors: TemplateIssue[] } {
  const errors: TemplateIssue[] = [];
  const raw = content.options ?? {};
  const err = (field: string, message: string) => errors.push({ field, message: `${field}: ${message}` });
  if (content.kind === 'kakao') {
    const type = raw.type;
    if (type !== 'alimtalk' && type !== 'friendtalk') err('options.type', 'must be alimtalk (information, needs an approved template code) or friendtalk');
    if (type === 'alimtalk' && (typeof raw.templateCode !== 'string' || !raw.templateCode.trim())) err('options.templateCode', 'AlimTalk needs the template code Kakao approved');
    if (type === 'alimtalk' && purpose === 'marketing') err('options.type', 'AlimTalk carries information only; send advertising as FriendTalk');
    const buttons = raw.buttons ?? [];
    if (!Array.isArray(buttons)) err('options.buttons', 'must be a list');
    else {
      if (buttons.length > KAKAO_MAX_BUTTONS) err('options.buttons', `at most ${KAKAO_MAX_BUTTONS} buttons`);
      buttons.forEach((b, i) => {
        const at = `options.buttons[${i}]`;
        if (!isRecord(b)) return err(at, 'must be {name, type, linkMo?, linkPc?}');
        if (typeof b.name !== 'string' || !b.name.trim()) err(`${at}.name`, 'is required');
        else if (!b.name.includes('{') && [...b.name].length > KAKAO_BUTTON_NAME_MAX) err(`${at}.name`, `at most ${KAKAO_BUTTON_NAME_MAX} characters`);
        if (!KAKAO_BUTTON_TYPES.includes(b.type as never)) err(`${at}.type`, `must be one of ${KAKAO_BUTTON_TYPES.join(', ')} (WL web link, AL app link, BK bot keyword, MD message delivery, DS delivery search)`);
        if (b.type === 'WL' && (typeof b.linkMo !== 'string' || !b.linkMo.trim())) err(`${at}.linkMo`, 'a web link button needs its mobile link');
      });
    }
    return { options: { type, ...(typeof raw.templateCode === 'string' ? { templateCode: raw.templateCode.trim() } : {}), buttons: Array.isArray(buttons) ? buttons : [] }, errors };
  }
  if (content.kind === 'push') {
    for (const key of ['url', 'icon']) if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'string') err(`options.${key}`, 'must be a text');
    return { options: Object.fromEntries(['url', 'icon'].filter((k) => typeof raw[k] === 'string' && raw[k]).map((k) => [k, raw[k]])), errors };
  }
  return { options: raw, errors };
}

/**
 * Whether a template can be saved: its format fits its kind, the required parts are there, every
 * Liquid field parses and names only known variables, MJML compiles with its Liquid intact, Kakao
 * options are complete, and a text message fits 2,000 bytes (counted for a sample customer, with
 * the advertising marks when the template is for marketing). Errors name their field.
 */
export async function validateTemplate(content: TemplateContent, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const errors: TemplateIssue[] = [];
  const warnings: TemplateIssue[] = [];
  const estimate: TemplateEstimate = {};
  const allowed = FORMATS_OF[content.kind];
  const format = content.format ?? (content.kind === 'email' && !content.body.trimStart().startsWith('<mjml') ? 'html' : allowed[0]!);
  if (!allowed.includes(format)) return { ok: false, errors: [{ field: 'format', message: `format: a ${content.kind} template is written in ${allowed.join(' or ')}` }], warnings, estimate };
  if (!content.body.trim()) errors.push({ field: 'body', message: 'body: is empty' });
  if ((content.kind === 'email' || content.kind === 'push') && !content.subject?.trim()) {
    errors.push({ field: 'subject', message: `subject: ${content.kind === 'email' ? 'an e-mail needs a subject' : 'a push notification needs a title'}` });
  }
  const { options, errors: optionErrors } = checkOptions(content, opts.purpose);
  errors.push(...optionErrors);

  const roots = contextVariables({ attributeKeys: opts.attributeKeys });
  const parsed: Partial<Record<'subject' | 'body', Template[]>> = {};
  const parsedOptions: [string, Template[]][] = [];
  if (content.subject) {
    const r = checkLiquid(content.subject, 'subject', 'none', roots);
    if ('issues' in r) errors.push(...r.issues);
    else parsed.subject = r.templates;
  }
  let compiled: string | null = null;
  if (content.body.trim()) {
    const r = checkLiquid(content.body, 'body', escapeOf(content.kind, 'body'), roots);
    if ('issues' in r) errors.push(...r.issues);
    else {
      parsed.body = r.templates;
      if (format === 'mjml') {
        const m = await compileMjml(content.body, 'body');
        if ('issues' in m) errors.push(...m.issues);
        else compiled = m.html;
      }
    }
  }
  for (const [path, text] of liquidOptions(content.kind, options)) {
    const r = checkLiquid(text, path, 'none', roots);
    if ('issues' in r) errors.push(...r.issues);
    else parsedOptions.push([path, r.templates]);
  }
  if (errors.length) return { ok: false, errors, warnings, estimate };

  // How long it comes out, for a sample customer (values the caller passes in data render empty).
  if (content.kind === 'sms' || content.kind === 'kakao') {
    const context = opts.context ?? sampleContext(opts.workspaceName ?? 'Rapport');
    const render = async (templates: Template[] | undefined) => (templates ? String(await liquidEngine('none').render(templates, context, { strictVariables: false })) : '');
    let text: string;
    try {
      text = await render(parsed.body);
    } catch (err) {
      return { ok: false, errors: [liquidIssue('body', err)], warnings, estimate };
    }
    const isAd = opts.purpose === 'marketing' && (content.kind === 'sms' || options.type === 'friendtalk');
    if (isAd) {
      if (!opts.senderName?.trim() || !opts.optOutNumber?.trim()) warnings.push({ field: 'purpose', message: 'purpose: advertising texts carry (광고), the sender’s name and a free opt-out number: set them in the messaging settings before sending' });
      text = adWrap(text, { senderName: opts.senderName?.trim() || opts.workspaceName || 'Rapport', optOutNumber: opts.optOutNumber?.trim() || '080-000-0000', kind: content.kind === 'sms' ? 'sms' : 'friendtalk' });
    }
    if (content.kind === 'sms') {
      const count = countEucKr(text);
      const title = parsed.subject ? (await render(parsed.subject)).trim() : '';
      const titleBytes = title ? countEucKr(title).bytes : undefined;
      estimate.sms = { bytes: count.bytes, type: smsType(count.bytes), unencodable: count.unencodable, ...(titleBytes !== undefined ? { titleBytes } : {}) };
      if (count.bytes > LMS_MAX_BYTES) errors.push({ field: 'body', message: `body: ${count.bytes.toLocaleString('en')} bytes in EUC-KR${isAd ? ' with the advertising marks' : ''}; a text message holds at most ${LMS_MAX_BYTES.toLocaleString('en')} (LMS)` });
      if (titleBytes !== undefined && titleBytes > LMS_TITLE_MAX_BYTES) errors.push({ field: 'subject', message: `subject: the LMS title is ${titleBytes} bytes in EUC-KR; at most ${LMS_TITLE_MAX_BYTES}` });
      if (count.unencodable.length) warnings.push({ field: 'body', message: `body: ${count.unencodable.join(' ')} cannot be sent in a text message (EUC-KR); phones may show them garbled` });
    } else {
      const characters = [...text].length;
      estimate.kakao = { characters };
      if (characters > KAKAO_MAX_CHARS) errors.push({ field: 'body', message: `body: ${characters.toLocaleString('en')} characters; KakaoTalk takes at most ${KAKAO_MAX_CHARS.toLocaleString('en')}` });
    }
    if (errors.length) return { ok: false, errors, warnings, estimate };
  }
  if (content.kind === 'email' && opts.purpose === 'marketing' && !/\{\{\s*message\.unsubscribe_url\b/.test(content.body)) {
    warnings.push({ field: 'body', message: 'body: an advertising e-mail needs an unsubscribe link: Rapport adds one at the foot unless the body has {{ message.unsubscribe_url }}' });
  }
  return { ok: true, format, compiled, options, warnings, estimate };
}

// --- rendering ----------------------------------------------------------------------------------

export type Prepared = {
  kind: ChannelKind;
  subject: Template[] | null;
  body: Template[];
  /** E-mail: the plain-text part as Liquid, made once from the HTML (null: made per message). */
  text: Template[] | null;
  options: [path: string, templates: Template[]][];
  rawOptions: Record<string, unknown>;
};

const TEXT_OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    // Upper-cased headings would turn {{ customer.name }} into {{ CUSTOMER.NAME }}.
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

/** An HTML e-mail's plain-text part. */
export function htmlToText(html: string): string {
  return convert(html, TEXT_OPTIONS);
}

/** Parsed versions, by workspace, template and version (a version never changes once saved). */
const prepared = new Lru<Prepared>(500);
/** One-off contents (no template), by a hash of the content. */
const preparedOneOff = new Lru<Prepared>(200);

function parseOrThrow(text: string, field: string, escape: Escape): Template[] {
  try {
    return liquidEngine(escape).parse(text);
  } catch (err) {
    throw new AppError('invalid_input', liquidIssue(field, err).message, { field });
  }
}

async function prepare(source: RenderSource): Promise<Prepared> {
  const format = source.format ?? FORMATS_OF[source.kind][0]!;
  let html = source.body;
  if (source.kind === 'email' && format === 'mjml') {
    html = source.compiled ?? '';
    if (!source.compiled) {
      const m = await compileMjml(source.body);
      if ('issues' in m) throw new AppError('invalid_input', m.issues.map((i) => i.message).join('; '), { field: 'body' });
      html = m.html;
    }
  }
  let text: Template[] | null = null;
  if (source.kind === 'email') {
    // html-to-text takes ~4 ms a message: done once on the Liquid source, the text part renders like the rest.
    // Used only when every Liquid tag came through as it was in the HTML; otherwise made per message.
    const plain = htmlToText(html);
    const inHtml = liquidTags(html);
    const intact = [...liquidTags(plain)].every(([tag, n]) => (inHtml.get(tag) ?? 0) >= n);
    try {
      text = intact ? liquidEngine('none').parse(plain) : null;
    } catch {
      text = null;
    }
  }
  const rawOptions = source.options ?? {};
  return {
    kind: source.kind,
    subject: source.subject ? parseOrThrow(source.subject, 'subject', 'none') : null,
    body: parseOrThrow(html, 'body', escapeOf(source.kind, 'body')),
    text,
    options: liquidOptions(source.kind, rawOptions).map(([path, t]) => [path, parseOrThrow(t, path, 'none')]),
    rawOptions,
  };
}

/** A version parsed for rendering: the same object for every message of that version (cached). */
export async function preparedFor(source: RenderSource): Promise<Prepared> {
  const versioned = source.workspaceId && source.templateId && source.version !== undefined;
  const key = versioned
    ? `${source.workspaceId}:${source.templateId}:${source.version}`
    : createHash('sha256').update(JSON.stringify([source.kind, source.format, source.subject, source.body, source.compiled, source.options])).digest('base64');
  const cache = versioned ? prepared : preparedOneOff;
  let p = cache.get(key);
  if (!p) {
    p = await prepare(source);
    cache.set(key, p);
  }
  return p;
}

/** How many versions are parsed and kept (for tests and the benchmark). */
export function preparedCount(): number {
  return prepared.size;
}

/**
 * One message's content for one customer. `strict` (the default) refuses a name the context does
 * not have (`data.order_id` the caller did not pass) instead of sending a blank: an AppError
 * naming the field. `escape: false` renders an e-mail body without HTML escaping (never for sending).
 */
export async function renderTemplate(source: RenderSource, context: LiquidContext, opts: { strict?: boolean; escape?: boolean } = {}): Promise<RenderedTemplate> {
  const p = await preparedFor(source);
  const strictVariables = opts.strict ?? true;
  const run = async (templates: Template[], field: string, escape: Escape): Promise<string> => {
    try {
      return String(await liquidEngine(escape).render(templates, context, { strictVariables }));
    } catch (err) {
      throw new AppError('invalid_input', liquidIssue(field, err).message, { field });
    }
  };
  let body: string;
  if (opts.escape === false && p.kind === 'email') body = await run(parseOrThrow(source.format === 'mjml' ? (source.compiled ?? '') : source.body, 'body', 'none'), 'body', 'none');
  else body = await run(p.body, 'body', escapeOf(p.kind, 'body'));
  const out: RenderedTemplate = { body, options: structuredClone(p.rawOptions) };
  if (p.subject) out.subject = (await run(p.subject, 'subject', 'none')).trim();
  if (p.kind === 'email') out.text = p.text ? await run(p.text, 'body', 'none') : htmlToText(body);
  if ((p.kind === 'sms' || p.kind === 'push') && out.subject) out.title = out.subject;
  for (const [path, templates] of p.options) setPath(out.options, path, await run(templates, path, 'none'));
  if (p.kind === 'webhook') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      throw new AppError('invalid_input', `body: the webhook body is not JSON once rendered (${(err as Error).message})`, { field: 'body' });
    }
    if (!isRecord(value)) throw new AppError('invalid_input', 'body: the webhook body must be a JSON object', { field: 'body' });
  }
  return out;
}
