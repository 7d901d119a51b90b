// Custom attributes: each workspace defines its own customer fields, with a type that values
// are validated against and a purpose that says why the field is collected.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { isValidDate, type FieldIssue } from './fields.ts';
import type { AttributePurpose, AttributeType } from './vocabulary.ts';
import { customerAttributeDefs } from './schema.ts';

export { ATTRIBUTE_PURPOSES, ATTRIBUTE_TYPES, type AttributePurpose, type AttributeType } from './vocabulary.ts';

export type AttributeDef = {
  key: string;
  label: string;
  type: AttributeType;
  options: string[] | null;
  purpose: AttributePurpose;
  description: string | null;
  required: boolean;
  createdAt: string;
};

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,62}$/;

function toDef(row: typeof customerAttributeDefs.$inferSelect): AttributeDef {
  return {
    key: row.key,
    label: row.label,
    type: row.type as AttributeType,
    options: row.options ?? null,
    purpose: row.purpose as AttributePurpose,
    description: row.description,
    required: row.required === 1,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listAttributeDefs(db: Queryable, opts: { workspaceId: string }): Promise<AttributeDef[]> {
  const rows = await db
    .select()
    .from(customerAttributeDefs)
    .where(and(eq(customerAttributeDefs.workspaceId, opts.workspaceId), isNull(customerAttributeDefs.archivedAt)))
    .orderBy(asc(customerAttributeDefs.createdAt), asc(customerAttributeDefs.key));
  return rows.map(toDef);
}

export type AttributeDefInput = {
  key: string;
  label: string;
  type: AttributeType;
  purpose: AttributePurpose;
  options?: string[] | null;
  description?: string | null;
  required?: boolean;
};

function checkOptions(type: AttributeType, options: string[] | null | undefined): string[] | null {
  if (type === 'enum' && (!options || options.length === 0)) throw new AppError('invalid_input', 'body.options: an enum needs at least one option');
  if (!options || options.length === 0) return null;
  if (type !== 'enum' && type !== 'list') throw new AppError('invalid_input', `body.options: only enum and list attributes have options, not ${type}`);
  if (new Set(options).size !== options.length) throw new AppError('invalid_input', 'body.options: options must be unique');
  return options;
}

export async function createAttributeDef(db: Queryable, opts: { workspaceId: string; actor: Actor; input: AttributeDefInput }): Promise<AttributeDef> {
  const { input } = opts;
  if (!ATTRIBUTE_KEY.test(input.key)) throw new AppError('invalid_input', 'body.key: lower-case letters, digits and _, starting with a letter (at most 63)');
  const options = checkOptions(input.type, input.options);
  const [existing] = await db
    .select()
    .from(customerAttributeDefs)
    .where(and(eq(customerAttributeDefs.workspaceId, opts.workspaceId), eq(customerAttributeDefs.key, input.key)));
  if (existing && !existing.archivedAt) throw new AppError('conflict', `body.key: an attribute "${input.key}" already exists`);
  const values = {
    label: input.label,
    type: input.type,
    purpose: input.purpose,
    options,
    description: input.description ?? null,
    required: input.required ? 1 : 0,
    archivedAt: null,
  };
  // An archived key comes back to life with its old values still on profiles.
  const [row] = existing
    ? await db
        .update(customerAttributeDefs)
        .set(values)
        .where(and(eq(customerAttributeDefs.workspaceId, opts.workspaceId), eq(customerAttributeDefs.key, input.key)))
        .returning()
    : await db.insert(customerAttributeDefs).values({ workspaceId: opts.workspaceId, key: input.key, ...values }).returning();
  const def = toDef(row!);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer_attribute.create', entityType: 'customer_attribute', entityId: def.key, after: def });
  return def;
}

export async function updateAttributeDef(
  db: Queryable,
  opts: { workspaceId: string; actor: Actor; key: string; patch: Partial<Omit<AttributeDefInput, 'key' | 'type'>> },
): Promise<AttributeDef> {
  const where = and(eq(customerAttributeDefs.workspaceId, opts.workspaceId), eq(customerAttributeDefs.key, opts.key), isNull(customerAttributeDefs.archivedAt));
  const [before] = await db.select().from(customerAttributeDefs).where(where);
  if (!before) throw new AppError('not_found', `customer attribute "${opts.key}" not found`);
  const { patch } = opts;
  const options = patch.options !== undefined ? checkOptions(before.type as AttributeType, patch.options) : undefined;
  const changes = {
    ...(patch.label !== undefined ? { label: patch.label } : {}),
    ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.required !== undefined ? { required: patch.required ? 1 : 0 } : {}),
    ...(options !== undefined ? { options } : {}),
  };
  // Nothing to change (an empty PATCH) is no update: Drizzle refuses an empty SET.
  if (Object.keys(changes).length === 0) return toDef(before);
  const [row] = await db.update(customerAttributeDefs).set(changes).where(where).returning();
  const def = toDef(row!);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer_attribute.update', entityType: 'customer_attribute', entityId: def.key, before: toDef(before), after: def });
  return def;
}

/** Archives the definition: new values are refused, existing ones stay on profiles. */
export async function archiveAttributeDef(db: Queryable, opts: { workspaceId: string; actor: Actor; key: string }): Promise<void> {
  const [row] = await db
    .update(customerAttributeDefs)
    .set({ archivedAt: new Date() })
    .where(and(eq(customerAttributeDefs.workspaceId, opts.workspaceId), eq(customerAttributeDefs.key, opts.key), isNull(customerAttributeDefs.archivedAt)))
    .returning();
  if (!row) throw new AppError('not_found', `customer attribute "${opts.key}" not found`);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'customer_attribute.archive', entityType: 'customer_attribute', entityId: opts.key, before: toDef(row) });
}

const TRUE = new Set(['true', '1', 'yes', 'y', 'on', '예', '네', 'o']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off', '아니오', '아니요', 'x']);

/**
 * Checks one value against its definition and returns it in stored form. `fromText` accepts
 * the text forms of CSV imports ("yes", "1,200", "a|b").
 */
export function coerceAttributeValue(def: AttributeDef, value: unknown, fromText = false): { value: unknown } | { error: string } {
  if (value === null) return { value: null };
  switch (def.type) {
    case 'text':
      if (typeof value !== 'string') return { error: 'must be text' };
      return value.length > 2000 ? { error: 'must be at most 2000 characters' } : { value };
    case 'number': {
      let n = value;
      if (fromText && typeof value === 'string') n = value.trim() === '' ? NaN : Number(value.replace(/,/g, ''));
      return typeof n === 'number' && Number.isFinite(n) ? { value: n } : { error: 'must be a number' };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (fromText && typeof value === 'string') {
        const v = value.trim().toLowerCase();
        if (TRUE.has(v)) return { value: true };
        if (FALSE.has(v)) return { value: false };
      }
      return { error: 'must be true or false' };
    case 'date':
      return typeof value === 'string' && isValidDate(value.trim()) ? { value: value.trim() } : { error: 'must be a date (YYYY-MM-DD)' };
    case 'enum':
      if (typeof value !== 'string' || !def.options?.includes(value.trim())) return { error: `must be one of ${(def.options ?? []).join(', ')}` };
      return { value: value.trim() };
    case 'list': {
      let items = value;
      if (fromText && typeof value === 'string') items = value.split(/[|;,]/).map((s) => s.trim()).filter(Boolean);
      if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) return { error: 'must be a list of texts' };
      const bad = def.options ? (items as string[]).find((i) => !def.options!.includes(i)) : undefined;
      if (bad !== undefined) return { error: `"${bad}" is not one of ${def.options!.join(', ')}` };
      return { value: [...new Set(items as string[])] };
    }
  }
}

/**
 * Validates a set of attribute values against the definitions. `null` removes a value. Returns
 * the values to store and the problems found, paths like `attributes.height_cm`.
 */
export function validateAttributes(
  defs: readonly AttributeDef[],
  values: Record<string, unknown>,
  opts: { fromText?: boolean; pathPrefix?: string } = {},
): { values: Record<string, unknown>; issues: FieldIssue[] } {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  const prefix = opts.pathPrefix ?? 'attributes';
  for (const [key, raw] of Object.entries(values)) {
    const def = byKey.get(key);
    if (!def) {
      issues.push({ path: `${prefix}.${key}`, message: 'is not a defined custom attribute' });
      continue;
    }
    const result = coerceAttributeValue(def, raw, opts.fromText);
    if ('error' in result) issues.push({ path: `${prefix}.${key}`, message: result.error });
    else out[key] = result.value;
  }
  return { values: out, issues };
}
