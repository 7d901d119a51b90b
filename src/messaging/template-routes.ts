// HTTP routes of message templates: list, create, read (any version), change (a new version),
// archive, the versions, a preview for a chosen customer, and the live check the editor calls as
// the marketer types. Thin: parse, call templates.ts, format. Reading needs customers.read,
// writing messaging.write; personal data in a preview is masked for roles without pii.read.
import type { App, AppDeps } from '../http/deps.ts';
import { caller } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { piiOf } from '../customers/route-parts.ts';
import type { Queryable } from '../db/connection.ts';
import { adSubject, adWrap, countEucKr, isSmsError, smsContent, smsType } from './korean.ts';
import { getMessagingSettings } from './settings.ts';
import { loadContexts, maskContext, type LiquidContext } from './template-context.ts';
import {
  PreviewBody,
  PreviewSchema,
  TemplateCreateBody,
  TemplateDetailSchema,
  TemplateGetQuery,
  TemplateIdParams,
  TemplateListQuery,
  TemplateListSchema,
  TemplateSchema,
  TemplateUpdateBody,
  ValidateBody,
  ValidationSchema,
  VersionListSchema,
} from './template-contract.ts';
import type { TemplateIssue } from './liquid.ts';
import {
  archiveTemplate,
  createTemplate,
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  renderTemplate,
  updateTemplate,
  validateTemplate,
  validationOptionsFor,
  type RenderedTemplate,
  type TemplateFormat,
} from './templates.ts';
import type { ChannelKind, MessagePurpose } from './types.ts';

/** One customer's context, masked for roles without pii.read; a 404 when the customer is not in the workspace. */
async function customerContext(db: Queryable, workspaceId: string, customerId: string, pii: boolean): Promise<LiquidContext> {
  const context = (await loadContexts(db, workspaceId, [customerId])).get(customerId.toLowerCase());
  if (!context) throw new AppError('not_found', 'body.customerId: customer not found');
  return pii ? context : maskContext(context);
}

/**
 * Renders strictly; when a value is missing (data the sender would pass), renders again leniently
 * so the marketer still sees the message, and says what is missing.
 */
async function renderForPreview(source: Parameters<typeof renderTemplate>[0], context: LiquidContext, errors: TemplateIssue[]): Promise<RenderedTemplate> {
  try {
    return await renderTemplate(source, context);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'invalid_input') throw err;
    errors.push({ field: (err.details as { field?: string } | undefined)?.field ?? 'body', message: err.message });
    return renderTemplate(source, context, { strict: false }).catch(() => ({ body: '', options: {} }) as RenderedTemplate);
  }
}

export async function registerTemplateRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['messaging'];

  app.get('/api/templates', { config: { auth: 'customers.read' }, schema: { tags, summary: 'List message templates', querystring: TemplateListQuery, response: { 200: TemplateListSchema } } }, async (request) => {
    const c = caller(request);
    const q = request.query;
    return { items: await listTemplates(db, { workspaceId: c.workspaceId, kind: q.kind as ChannelKind | undefined, q: q.q, archived: q.archived }) };
  });

  app.post(
    '/api/templates',
    { config: { auth: 'messaging.write' }, schema: { tags, summary: 'Create a template (checked: a Liquid or MJML error, or an unknown variable, is a 400 naming the field)', body: TemplateCreateBody, response: { 201: TemplateDetailSchema } } },
    async (request, reply) => {
      const c = caller(request);
      const b = request.body;
      const created = await createTemplate(db, {
        workspaceId: c.workspaceId,
        actor: c.actor,
        input: { name: b.name, kind: b.kind as ChannelKind, purpose: b.purpose as MessagePurpose | undefined, format: b.format as TemplateFormat | undefined, subject: b.subject, body: b.body, options: b.options },
      });
      return reply.status(201).send(created);
    },
  );

  app.post(
    '/api/templates/validate',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'Check a template as it is typed: errors by field, SMS bytes and type, Kakao characters', body: ValidateBody, response: { 200: ValidationSchema } } },
    async (request) => {
      const c = caller(request);
      const b = request.body;
      const purpose = b.purpose as MessagePurpose | undefined;
      const opts = await validationOptionsFor(db, c.workspaceId, purpose);
      if (b.customerId) opts.context = await customerContext(db, c.workspaceId, b.customerId, piiOf(request));
      const r = await validateTemplate({ kind: b.kind as ChannelKind, format: b.format as TemplateFormat | undefined, subject: b.subject, body: b.body, options: b.options }, opts);
      const sms = r.estimate.sms ?? null;
      return {
        ok: r.ok,
        errors: r.ok ? [] : r.errors,
        warnings: r.warnings,
        format: r.ok ? r.format : null,
        bytes: sms?.bytes ?? null,
        type: sms?.type ?? null,
        sms,
        kakao: r.estimate.kakao ?? null,
        html: r.ok ? r.compiled : null,
      };
    },
  );

  app.get(
    '/api/templates/:id',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'A template with its latest version (or ?version=)', params: TemplateIdParams, querystring: TemplateGetQuery, response: { 200: TemplateDetailSchema } } },
    async (request) => getTemplate(db, { workspaceId: caller(request).workspaceId, id: request.params.id, version: request.query.version }),
  );

  app.put(
    '/api/templates/:id',
    { config: { auth: 'messaging.write' }, schema: { tags, summary: 'Change a template: new content is saved as the next version', params: TemplateIdParams, body: TemplateUpdateBody, response: { 200: TemplateDetailSchema } } },
    async (request) => {
      const c = caller(request);
      const b = request.body;
      return updateTemplate(db, {
        workspaceId: c.workspaceId,
        id: request.params.id,
        actor: c.actor,
        input: { name: b.name, purpose: b.purpose as MessagePurpose | undefined, format: b.format as TemplateFormat | undefined, subject: b.subject, body: b.body, options: b.options },
      });
    },
  );

  app.delete(
    '/api/templates/:id',
    { config: { auth: 'messaging.write' }, schema: { tags, summary: 'Archive a template (its versions stay for the messages that used them)', params: TemplateIdParams, response: { 200: TemplateSchema } } },
    async (request) => {
      const c = caller(request);
      return archiveTemplate(db, { workspaceId: c.workspaceId, id: request.params.id, actor: c.actor });
    },
  );

  app.get(
    '/api/templates/:id/versions',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'Every version of a template, newest first', params: TemplateIdParams, response: { 200: VersionListSchema } } },
    async (request) => {
      const versions = await listTemplateVersions(db, { workspaceId: caller(request).workspaceId, id: request.params.id });
      return { items: versions.map(({ compiled: _compiled, ...v }) => v) };
    },
  );

  app.post(
    '/api/templates/:id/preview',
    { config: { auth: 'customers.read' }, schema: { tags, summary: 'The template rendered for one customer, as they would receive it', params: TemplateIdParams, body: PreviewBody, response: { 200: PreviewSchema } } },
    async (request) => {
      const c = caller(request);
      const pii = piiOf(request);
      const { template, source } = await getTemplateVersion(db, { workspaceId: c.workspaceId, templateId: request.params.id, version: request.body.version });
      const context = await customerContext(db, c.workspaceId, request.body.customerId, pii);
      const data = (request.body.data ?? {}) as Record<string, unknown>;
      context.data = pii ? data : (maskContext({ ...context, data }).data ?? {});
      context.message = { unsubscribe_url: '#unsubscribe' };
      const errors: TemplateIssue[] = [];
      const r = await renderForPreview(source, context, errors);
      const settings = await getMessagingSettings(db, c.workspaceId);
      const isAd = template.purpose === 'marketing';
      const answer = {
        template: { id: template.id, name: template.name, label: `${template.name} (v${source.version})`, version: source.version, kind: template.kind, purpose: template.purpose },
        customer: { id: context.customer.id, name: context.customer.name, grade: context.customer.grade },
        masked: !pii,
        subject: null as string | null,
        html: null as string | null,
        text: r.body,
        title: r.title ?? null,
        sms: null as null | { bytes: number; type: 'SMS' | 'LMS' | null; unencodable: string[] },
        kakao: null as null | { type: string | null; characters: number; buttons: Record<string, unknown>[] },
        push: null as null | { title: string; body: string; url: string | null; icon: string | null },
        json: null as Record<string, unknown> | null,
        errors,
      };
      switch (template.kind) {
        case 'email':
          answer.subject = r.subject ? (isAd ? adSubject(r.subject) : r.subject) : null;
          answer.html = r.body;
          answer.text = r.text ?? '';
          break;
        case 'sms': {
          const sms = smsContent({ text: r.body, title: r.title, from: '', purpose: template.purpose, senderName: settings.senderName, optOutNumber: settings.optOutNumber });
          if (isSmsError(sms)) {
            errors.push({ field: sms.field === 'title' ? 'subject' : sms.field === 'text' ? 'body' : `settings.${sms.field}`, message: sms.error });
            const count = countEucKr(r.body);
            answer.sms = { bytes: count.bytes, type: smsType(count.bytes), unencodable: count.unencodable };
          } else {
            answer.text = sms.text;
            answer.title = sms.title ?? null;
            answer.sms = { bytes: sms.bytes, type: sms.type, unencodable: countEucKr(sms.text).unencodable };
          }
          break;
        }
        case 'kakao': {
          const type = typeof r.options.type === 'string' ? r.options.type : null;
          if (isAd && type === 'friendtalk' && settings.senderName && settings.optOutNumber) {
            answer.text = adWrap(r.body, { senderName: settings.senderName, optOutNumber: settings.optOutNumber, kind: 'friendtalk' });
          }
          answer.kakao = { type, characters: [...answer.text].length, buttons: Array.isArray(r.options.buttons) ? (r.options.buttons as Record<string, unknown>[]) : [] };
          break;
        }
        case 'push':
          answer.push = { title: r.title ?? '', body: r.body, url: typeof r.options.url === 'string' ? r.options.url : null, icon: typeof r.options.icon === 'string' ? r.options.icon : null };
          break;
        case 'webhook':
          try {
            answer.json = JSON.parse(r.body) as Record<string, unknown>;
          } catch {
            answer.json = null;
          }
          break;
      }
      return answer;
    },
  );
}
