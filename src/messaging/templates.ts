// Message templates and their versions: create, change (each change of content is a new version,
// the old ones stay readable, since a sent message records the version it used), read, list and
// archive. Content is checked by validateTemplate before anything is stored; checking and
// rendering live in template-render.ts and are re-exported here.
import { and, asc, desc, eq, ilike, isNull, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors.ts';
import { listAttributeDefs } from '../customers/attributes.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { messageTemplates, messageTemplateVersions } from './schema.ts';
import { getMessagingSettings } from './settings.ts';
import { validateTemplate, type TemplateContent, type TemplateFormat, type ValidateOptions, type ValidationResult } from './template-render.ts';
import type { ChannelKind, MessagePurpose } from './types.ts';

export { renderTemplate, validateTemplate, preparedCount, htmlToText, FORMATS_OF, TEMPLATE_FORMATS } from './template-render.ts';
export type { RenderSource, RenderedTemplate, TemplateContent, TemplateFormat, ValidationResult, TemplateEstimate } from './template-render.ts';

export type TemplateVersion = {
  templateId: string;
  version: number;
  subject: string | null;
  body: string;
  format: TemplateFormat;
  compiled: string | null;
  options: Record<string, unknown>;
  createdByLabel: string | null;
  createdAt: string;
};

export type MessageTemplate = {
  id: string;
  name: string;
  /** "Spring sale (v3)": how a template is named wherever a message shows which one it used. */
  label: string;
  kind: ChannelKind;
  purpose: MessagePurpose;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
};

export type TemplateDetail = MessageTemplate & { version: TemplateVersion };

export const templateLabel = (name: string, version: number) => `${name} (v${version})`;

type TemplateRow = typeof messageTemplates.$inferSelect;
type VersionRow = typeof messageTemplateVersions.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toTemplate(row: TemplateRow): MessageTemplate {
  return {
    id: row.id,
    name: row.name,
    label: templateLabel(row.name, row.latestVersion),
    kind: row.kind as ChannelKind,
    purpose: row.purpose as MessagePurpose,
    latestVersion: row.latestVersion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: iso(row.archivedAt),
  };
}

function toVersion(row: VersionRow): TemplateVersion {
  return {
    templateId: row.templateId,
    version: row.version,
    subject: row.subject,
    body: row.body,
    format: row.format as TemplateFormat,
    compiled: row.compiled,
    options: row.options,
    createdByLabel: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What the checks need to know about the workspace: its attribute keys, its name, its advertising marks. */
export async function validationOptionsFor(db: Queryable, workspaceId: string, purpose?: MessagePurpose): Promise<ValidateOptions> {
  const attributeKeys = (await listAttributeDefs(db, { workspaceId })).map((d) => d.key);
  const { rows } = await db.execute<{ name: string }>(sql`select name from workspaces where id = ${workspaceId}::uuid`);
  const settings = await getMessagingSettings(db, workspaceId);
  return { attributeKeys, workspaceName: rows[0]?.name, senderName: settings.senderName, optOutNumber: settings.optOutNumber, purpose };
}

/** Refuses content that does not pass the checks: a 400 naming each field. */
async function checkedContent(db: Queryable, workspaceId: string, content: TemplateContent, purpose: MessagePurpose) {
  const result: ValidationResult = await validateTemplate(content, await validationOptionsFor(db, workspaceId, purpose));
  if (!result.ok) throw new AppError('invalid_input', result.errors.map((e) => e.message).join('; '), { errors: result.errors });
  return result;
}

export type NewTemplate = TemplateContent & { name: string; purpose?: MessagePurpose };

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new AppError('invalid_input', 'name: is required');
  // Lists and message logs show the name: an id there says nothing to a marketer.
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(n)) throw new AppError('invalid_input', 'name: give the template a name people recognise, not an id');
  return n;
}

async function insertVersion(db: Queryable, opts: { workspaceId: string; templateId: string; version: number; content: TemplateContent; checked: Extract<ValidationResult, { ok: true }>; actor: Actor }): Promise<VersionRow> {
  const [row] = await db
    .insert(messageTemplateVersions)
    .values({
      workspaceId: opts.workspaceId,
      templateId: opts.templateId,
      version: opts.version,
      subject: opts.content.subject?.trim() ? opts.content.subject : null,
      body: opts.content.body,
      format: opts.checked.format,
      compiled: opts.checked.compiled,
      options: opts.checked.options,
      createdByLabel: opts.actor.label,
    })
    .returning();
  return row!;
}

export async function createTemplate(db: Queryable, opts: { workspaceId: string; actor: Actor; input: NewTemplate }): Promise<TemplateDetail> {
  const name = checkName(opts.input.name);
  const purpose = opts.input.purpose ?? 'marketing';
  const checked = await checkedContent(db, opts.workspaceId, opts.input, purpose);
  const id = uuidv7();
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(messageTemplates).values({ workspaceId: opts.workspaceId, id, name, kind: opts.input.kind, purpose, latestVersion: 1 }).returning();
    const version = await insertVersion(tx, { workspaceId: opts.workspaceId, templateId: id, version: 1, content: opts.input, checked, actor: opts.actor });
    await recordAudit(tx, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'template.create', entityType: 'message_template', entityId: id, after: { name, kind: opts.input.kind, purpose, version: 1 } });
    return { ...toTemplate(row!), version: toVersion(version) };
  });
}

async function templateRow(db: Queryable, workspaceId: string, id: string, forUpdate = false): Promise<TemplateRow> {
  const q = db.select().from(messageTemplates).where(and(eq(messageTemplates.workspaceId, workspaceId), eq(messageTemplates.id, id)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw new AppError('not_found', 'template not found');
  return row;
}

async function versionRow(db: Queryable, workspaceId: string, templateId: string, version: number): Promise<VersionRow> {
  const [row] = await db
    .select()
    .from(messageTemplateVersions)
    .where(and(eq(messageTemplateVersions.workspaceId, workspaceId), eq(messageTemplateVersions.templateId, templateId), eq(messageTemplateVersions.version, version)));
  if (!row) throw new AppError('not_found', `version ${version} of this template not found`);
  return row;
}

export type TemplateChange = Partial<Omit<TemplateContent, 'kind'>> & { name?: string; purpose?: MessagePurpose };

/**
 * Changes a template. New content (subject, body, format or options; what is not given is kept
 * from the latest version) is checked and saved as the next version; a new name or purpose alone
 * adds no version, since what a message sends did not change. An archived template is not changed.
 */
export async function updateTemplate(db: Queryable, opts: { workspaceId: string; id: string; actor: Actor; input: TemplateChange }): Promise<TemplateDetail> {
  const current = await templateRow(db, opts.workspaceId, opts.id);
  if (current.archivedAt) throw new AppError('conflict', 'template is archived: it cannot be changed');
  const latest = await versionRow(db, opts.workspaceId, opts.id, current.latestVersion);
  const { name: newName, purpose: newPurpose, ...contentChange } = opts.input;
  const name = newName === undefined ? current.name : checkName(newName);
  const purpose = newPurpose ?? (current.purpose as MessagePurpose);
  const content: TemplateContent = {
    kind: current.kind as ChannelKind,
    format: contentChange.format ?? (latest.format as TemplateFormat),
    subject: contentChange.subject === undefined ? latest.subject : contentChange.subject,
    body: contentChange.body ?? latest.body,
    options: contentChange.options ?? latest.options,
  };
  const changed =
    content.format !== latest.format || (content.subject ?? null) !== (latest.subject ?? null) || content.body !== latest.body || JSON.stringify(content.options) !== JSON.stringify(latest.options);
  // A new purpose is checked too: an AlimTalk template cannot become marketing.
  const checked = changed || purpose !== current.purpose ? await checkedContent(db, opts.workspaceId, content, purpose) : null;
  return db.transaction(async (tx) => {
    const locked = await templateRow(tx, opts.workspaceId, opts.id, true);
    const version = changed ? locked.latestVersion + 1 : locked.latestVersion;
    const [row] = await tx
      .update(messageTemplates)
      .set({ name, purpose, latestVersion: version, updatedAt: sql`now()` })
      .where(and(eq(messageTemplates.workspaceId, opts.workspaceId), eq(messageTemplates.id, opts.id)))
      .returning();
    const versionData = changed && checked ? await insertVersion(tx, { workspaceId: opts.workspaceId, templateId: opts.id, version, content, checked, actor: opts.actor }) : await versionRow(tx, opts.workspaceId, opts.id, version);
    await recordAudit(tx, {
      workspaceId: opts.workspaceId,
      actor: opts.actor,
      action: 'template.update',
      entityType: 'message_template',
      entityId: opts.id,
      before: { name: locked.name, purpose: locked.purpose, version: locked.latestVersion },
      after: { name, purpose, version },
    });
    return { ...toTemplate(row!), version: toVersion(versionData) };
  });
}

/** A template with one of its versions (the latest unless `version` is given). */
export async function getTemplate(db: Queryable, opts: { workspaceId: string; id: string; version?: number }): Promise<TemplateDetail> {
  const row = await templateRow(db, opts.workspaceId, opts.id);
  const version = await versionRow(db, opts.workspaceId, opts.id, opts.version ?? row.latestVersion);
  return { ...toTemplate(row), version: toVersion(version) };
}

/** One version as the sender renders it (workspace, template and version: the render cache's key). */
export async function getTemplateVersion(db: Queryable, opts: { workspaceId: string; templateId: string; version?: number }) {
  const detail = await getTemplate(db, { workspaceId: opts.workspaceId, id: opts.templateId, version: opts.version });
  const v = detail.version;
  return {
    template: detail,
    source: { workspaceId: opts.workspaceId, templateId: detail.id, version: v.version, kind: detail.kind, format: v.format, subject: v.subject, body: v.body, compiled: v.compiled, options: v.options },
  };
}

export async function listTemplates(
  db: Queryable,
  opts: { workspaceId: string; kind?: ChannelKind; q?: string; archived?: boolean; limit?: number },
): Promise<MessageTemplate[]> {
  const where: SQL[] = [eq(messageTemplates.workspaceId, opts.workspaceId), opts.archived ? isNotNull(messageTemplates.archivedAt) : isNull(messageTemplates.archivedAt)];
  if (opts.kind) where.push(eq(messageTemplates.kind, opts.kind));
  if (opts.q?.trim()) where.push(ilike(messageTemplates.name, `%${opts.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const rows = await db
    .select()
    .from(messageTemplates)
    .where(and(...where))
    .orderBy(desc(messageTemplates.updatedAt), asc(messageTemplates.id))
    .limit(opts.limit ?? 200);
  return rows.map(toTemplate);
}

/** Every version of a template, newest first. */
export async function listTemplateVersions(db: Queryable, opts: { workspaceId: string; id: string }): Promise<TemplateVersion[]> {
  await templateRow(db, opts.workspaceId, opts.id);
  const rows = await db
    .select()
    .from(messageTemplateVersions)
    .where(and(eq(messageTemplateVersions.workspaceId, opts.workspaceId), eq(messageTemplateVersions.templateId, opts.id)))
    .orderBy(desc(messageTemplateVersions.version));
  return rows.map(toVersion);
}

/** Archives a template: it leaves the lists and cannot be sent anew; its versions stay for the messages that used them. */
export async function archiveTemplate(db: Queryable, opts: { workspaceId: string; id: string; actor: Actor }): Promise<MessageTemplate> {
  return db.transaction(async (tx) => {
    const current = await templateRow(tx, opts.workspaceId, opts.id, true);
    if (current.archivedAt) return toTemplate(current);
    const [row] = await tx
      .update(messageTemplates)
      .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(messageTemplates.workspaceId, opts.workspaceId), eq(messageTemplates.id, opts.id)))
      .returning();
    await recordAudit(tx, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'template.archive', entityType: 'message_template', entityId: opts.id, before: { name: current.name, archived: false }, after: { name: current.name, archived: true } });
    return toTemplate(row!);
  });
}
