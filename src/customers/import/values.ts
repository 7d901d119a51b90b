// Turns one CSV record into customer input under a mapping: names joined, tags split,
// HubSpot/Salesforce/Korean lifecycle stages and consent answers read. Field validation itself
// is upsertCustomers' (with `fromText`). Pure.
import type { AttributeDef } from '../attributes.ts';
import type { ConsentPurpose, Channel, ConsentStatus, LifecycleStage } from '../fields.ts';
import { LIFECYCLE_STAGES } from '../fields.ts';
import type { CustomerInput } from '../profile-input.ts';
import { headerKey, resolveTarget, type Mapping, type ResolvedTarget } from './mapping.ts';

export type ColumnPlan = { index: number; header: string; target: Exclude<ResolvedTarget, { kind: 'ignore' }> };

/** The mapped columns of a file, in file order. Assumes the mapping was checked. */
export function planColumns(headers: readonly string[], mapping: Mapping, defs: readonly AttributeDef[]): ColumnPlan[] {
  const plan: ColumnPlan[] = [];
  headers.forEach((header, index) => {
    const target = resolveTarget(mapping[header] ?? '', defs);
    if (target && target.kind !== 'ignore') plan.push({ index, header, target });
  });
  return plan;
}

// Lifecycle stages as our stages, HubSpot (internal values and labels), Salesforce lead
// statuses and Korean CRMs name them. Keys are compared like headers (`Sales Qualified Lead` → `salesqualifiedlead`).
const STAGES: Record<string, LifecycleStage> = {
  ...Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, s])),
  marketingqualifiedlead: 'lead',
  salesqualifiedlead: 'lead',
  opportunity: 'lead',
  mql: 'lead',
  sql: 'lead',
  prospect: 'lead',
  new: 'lead',
  open: 'lead',
  opennotcontacted: 'lead',
  working: 'lead',
  workingcontacted: 'lead',
  contacted: 'lead',
  qualified: 'lead',
  nurturing: 'lead',
  closedconverted: 'customer',
  evangelist: 'loyal',
  advocate: 'loyal',
  vip: 'loyal',
  formercustomer: 'churned',
  churn: 'churned',
  lost: 'churned',
  inactive: 'churned',
  dormant: 'churned',
  리드: 'lead',
  잠재고객: 'lead',
  가망고객: 'lead',
  신규: 'lead',
  구독자: 'subscriber',
  구독: 'subscriber',
  뉴스레터구독: 'subscriber',
  고객: 'customer',
  구매고객: 'customer',
  구매자: 'customer',
  충성고객: 'loyal',
  우수고객: 'loyal',
  단골: 'loyal',
  단골고객: 'loyal',
  이탈: 'churned',
  이탈고객: 'churned',
  휴면: 'churned',
  휴면고객: 'churned',
};

export function parseStage(raw: string): LifecycleStage | undefined {
  return STAGES[headerKey(raw)];
}

const GRANTED = new Set(['yes', 'y', 'true', 't', '1', 'granted', 'grant', 'optin', 'optedin', 'subscribed', 'agree', 'agreed', 'on', '동의', '수신', '수신동의', '예', '네', 'o', '○']);
const DENIED = new Set(['no', 'n', 'false', 'f', '0', 'denied', 'deny', 'optout', 'optedout', 'unsubscribed', 'disagree', 'off', '거부', '미동의', '비동의', '수신거부', '미수신', '아니오', '아니요', 'x', '×']);
const UNKNOWN = new Set(['unknown', '모름', '미정']);

export function parseConsent(raw: string): ConsentStatus | undefined {
  const v = headerKey(raw);
  if (GRANTED.has(v)) return 'granted';
  if (DENIED.has(v)) return 'denied';
  if (UNKNOWN.has(v)) return 'unknown';
  return undefined;
}

const CJK = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3040-\u30ff\u4e00-\u9fff]/;

/** 김 + 민지 → 김민지 (Korean, Japanese, Chinese: surname first, no space); Jane + Doe → Jane Doe. */
export function joinName(first: string | undefined, last: string | undefined): string | undefined {
  if (!first) return last;
  if (!last) return first;
  return CJK.test(first) || CJK.test(last) ? `${last}${first}` : `${first} ${last}`;
}

/** Cells a spreadsheet would read as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

const pad2 = (s: string) => s.padStart(2, '0');

/** Dates as Korean spreadsheets write them: 1994.3.7, 1994/03/07, 19940307 → 1994-03-07 (the rest as given). */
export function normaliseDateText(raw: string): string {
  const v = raw.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  const parts = /^(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*[.일]?(.*)$/.exec(v);
  if (parts) {
    const rest = parts[4]!.trim();
    return `${parts[1]}-${pad2(parts[2]!)}-${pad2(parts[3]!)}${rest === '' || rest.startsWith('T') ? rest : ` ${rest}`}`;
  }
  return v;
}

export type ConvertedRow = {
  input: CustomerInput;
  consents: { channel: Channel; purpose: ConsentPurpose; status: ConsentStatus }[];
  /** Values the mapping itself could not read (stage, consent), by column. */
  issues: { column: string; message: string }[];
};

/**
 * The customer input of one record. Empty cells leave the field as it is (an import does not
 * clear data); when several columns map to one target, the first non-empty one counts.
 */
export function convertRecord(fields: readonly string[], plan: readonly ColumnPlan[]): ConvertedRow {
  const input: CustomerInput = {};
  const consents: ConvertedRow['consents'] = [];
  const issues: ConvertedRow['issues'] = [];
  let first: string | undefined;
  let last: string | undefined;
  let attributes: Record<string, unknown> | undefined;
  const seenConsent = new Set<string>();
  for (const col of plan) {
    let value = (fields[col.index] ?? '').trim();
    if (value === '') continue;
    // Our export writes '+… and '=… so spreadsheets do not run them as formulas; read them back.
    if (value.charCodeAt(0) === 39 && FORMULA_START.test(value.slice(1))) value = value.slice(1);
    const t = col.target;
    if (t.kind === 'attribute') {
      attributes ??= {};
      if (!(t.key in attributes)) attributes[t.key] = value;
    } else if (t.kind === 'consent') {
      const key = `${t.channel}.${t.purpose}`;
      if (seenConsent.has(key)) continue;
      seenConsent.add(key);
      const status = parseConsent(value);
      if (status) consents.push({ channel: t.channel, purpose: t.purpose, status });
      else issues.push({ column: col.header, message: `"${value}" is not a consent answer (yes/no, Y/N, true/false, 1/0, granted/denied, 동의/거부)` });
    } else {
      const field = t.field;
      if (field === 'firstName') first ??= value;
      else if (field === 'lastName') last ??= value;
      else if (input[field] !== undefined) continue;
      else if (field === 'tags') input.tags = value.split(/[,;|]/);
      else if (field === 'lifecycleStage') {
        const stage = parseStage(value);
        if (stage) input.lifecycleStage = stage;
        else issues.push({ column: col.header, message: `"${value}" is not a lifecycle stage (${LIFECYCLE_STAGES.join(', ')}, or a HubSpot or Salesforce stage)` });
      } else if (field === 'birthday' || field === 'signedUpAt') input[field] = normaliseDateText(value);
      else input[field] = value;
    }
  }
  if (input.name === undefined) {
    const name = joinName(first, last);
    if (name !== undefined) input.name = name;
  }
  if (attributes) input.attributes = attributes;
  return { input, consents, issues };
}

/**
 * The column a validation issue is about. `path` is the field path of the issue
 * (`email`, `attributes.height_cm`); for a name joined from two columns both are named.
 */
export function columnOfPath(path: string, fields: readonly string[], plan: readonly ColumnPlan[]): string | undefined {
  const filled = (c: ColumnPlan) => (fields[c.index] ?? '').trim() !== '';
  const find = (match: (c: ColumnPlan) => boolean) => plan.find((c) => match(c) && filled(c))?.header ?? plan.find(match)?.header;
  if (path.startsWith('attributes.')) {
    const key = path.slice('attributes.'.length);
    return find((c) => c.target.kind === 'attribute' && c.target.key === key);
  }
  const field = path.split(/[.[]/)[0]!;
  const direct = find((c) => c.target.kind === 'field' && c.target.field === field);
  if (direct || field !== 'name') return direct;
  const parts = plan.filter((c) => c.target.kind === 'field' && (c.target.field === 'lastName' || c.target.field === 'firstName') && filled(c));
  return parts.length ? parts.map((c) => c.header).join(' + ') : undefined;
}
