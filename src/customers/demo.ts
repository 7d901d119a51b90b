// Demo data for a new workspace: the synthetic customers of a Korean fashion shop
// (src/demo-data/generate.ts) with their custom attributes, consents and survey preferences, a few
// notes, and some planted near-duplicates so the duplicates page has something real to show.
import { createRandom, generateCustomers, REGIONS, STYLES, type Random, type SyntheticCustomer } from '../demo-data/generate.ts';
import type { Db } from '../db/connection.ts';
import { loadDemoBehaviour, type DemoBehaviourResult } from '../events/demo.ts';
import type { Actor } from '../workspaces/audit.ts';
import { createAttributeDef, listAttributeDefs, type AttributeDefInput } from './attributes.ts';
import { upsertCustomers, type UpsertResult } from './customers.ts';
import type { LifecycleStage } from './fields.ts';
import { addNote } from './notes.ts';
import type { CustomerInput } from './profile-input.ts';

/** The custom attributes the generated customers carry. Labels name the field in both languages. */
export const DEMO_ATTRIBUTES: readonly AttributeDefInput[] = [
  {
    key: 'region',
    label: 'Region · 지역',
    type: 'enum',
    purpose: 'analytics',
    options: REGIONS.map(([name]) => name),
    description: 'Where the customer lives, for regional sales analysis',
  },
  {
    key: 'membership_card',
    label: 'Membership card · 멤버십 카드',
    type: 'boolean',
    purpose: 'service',
    description: 'Holds the offline stores’ membership card',
  },
  {
    key: 'preferred_style',
    label: 'Preferred style · 선호 스타일',
    type: 'enum',
    purpose: 'marketing',
    options: [...STYLES],
    description: 'Style chosen in the sign-up survey, for recommendations',
  },
  {
    key: 'height_cm',
    label: 'Height (cm) · 키',
    type: 'number',
    purpose: 'service',
    description: 'Given for size advice',
  },
];

const STAGES: readonly (readonly [LifecycleStage, number])[] = [
  ['lead', 8],
  ['subscriber', 27],
  ['customer', 45],
  ['loyal', 12],
  ['churned', 8],
];

const NOTES = [
  '매장 방문 시 M → L 사이즈 교환 요청 · Asked to exchange M for L in store',
  '배송 지연 문의, 쿠폰 5,000원 발급 · Delivery delay complaint; issued a ₩5,000 coupon',
  '가을 신상 아우터 입고 시 연락 희망 · Wants a call when the autumn outerwear arrives',
  'VIP 초대 행사 참석 확정 · Confirmed for the VIP preview evening',
  '카카오톡 상담: 원피스 기장 문의 · KakaoTalk chat: asked about dress length',
  '반품 2회 — 핏 문제, 다음엔 사이즈 상담 권장 · Two returns for fit; suggest a sizing chat next time',
  '선물 포장 요청 (생일) · Asked for gift wrapping (birthday)',
  '인스타그램 협찬 제안 수락 · Accepted an Instagram collaboration offer',
  '주소 변경: 부산 해운대구 · New address in Busan (Haeundae)',
  '첫 구매 후 만족도 조사 응답 — 매우 만족 · First-purchase survey: very satisfied',
];

export type DuplicateKind = 'name_birthday' | 'email_variant' | 'name_phone_tail';
export type PlantedDuplicate = { externalId: string; duplicateOf: string; kind: DuplicateKind };

export type DemoOptions = {
  workspaceId: string;
  actor: Actor;
  /** Generated customers (the planted duplicates come on top). */
  count: number;
  seed?: number;
  /** Share of customers that get a second profile; default 1 %. */
  duplicateRate?: number;
  /** Notes written on customers; default 12 (fewer for tiny data sets). */
  notes?: number;
  batchSize?: number;
  /** The day the data is "as of"; default today. Same seed and day → same data. */
  now?: Date;
  /** How many of the customers get shop behaviour (events, carts, orders); default 100, 0 for none. */
  behaviourCustomers?: number;
};

export type DemoResult = {
  created: number;
  updated: number;
  /** Rows refused (a phone another customer already holds, at very large counts). */
  failed: number;
  duplicates: PlantedDuplicate[];
  notes: number;
  attributesCreated: string[];
  behaviour?: DemoBehaviourResult;
};

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function stageOf(c: SyntheticCustomer, rnd: Random, now: Date): LifecycleStage {
  // Recent sign-ups have not bought yet as often; the oldest ones are the likeliest to have left.
  const ageDays = (now.getTime() - c.signedUpAt.getTime()) / 86_400_000;
  if (ageDays < 30 && rnd.chance(0.6)) return rnd.chance(0.5) ? 'lead' : 'subscriber';
  return rnd.weighted(STAGES);
}

export function toDemoInput(c: SyntheticCustomer, stage: LifecycleStage, vip: boolean): CustomerInput {
  return {
    externalId: c.externalId,
    email: c.email,
    phone: c.phone,
    name: c.name,
    locale: c.locale,
    timeZone: c.timeZone,
    birthday: c.birthday,
    gender: c.gender,
    signedUpAt: c.signedUpAt,
    lifecycleStage: stage,
    tags: vip ? [...c.tags, 'vip'] : c.tags,
    source: c.source,
    attributes: c.attributes,
    consents: c.consents,
    preferences: c.preferences.map(({ category, weight }) => ({ category, weight })),
  };
}

/**
 * A second profile of the same person, as shops get them: a new account with another e-mail
 * (same name and birthday), a Gmail address written with other dots or a `+tag`, or an offline
 * sign-up with a new phone that shares the last four digits.
 */
export function duplicateOf(c: SyntheticCustomer, ordinal: number, rnd: Random, now: Date): { input: CustomerInput; kind: DuplicateKind } {
  const [, given = 'guest', surname = 'kim', digits = '0', domain = 'naver.com'] = /^([a-z]+)\.([a-z]+)(\d+)@(.+)$/.exec(c.email) ?? [];
  const kindRoll = rnd.next();
  const kind: DuplicateKind = kindRoll < 0.4 ? 'name_birthday' : kindRoll < 0.7 ? 'email_variant' : 'name_phone_tail';
  const later = new Date(Math.min(now.getTime() - 3_600_000, c.signedUpAt.getTime() + rnd.int(1, 400) * 86_400_000));
  const base: CustomerInput = {
    externalId: `D${String(ordinal + 1).padStart(7, '0')}`,
    name: c.name,
    locale: c.locale,
    timeZone: c.timeZone,
    gender: c.gender,
    signedUpAt: later,
    lifecycleStage: rnd.chance(0.5) ? 'lead' : 'subscriber',
    tags: [],
    source: rnd.chance(0.5) ? 'offline_store' : 'kakao_channel',
    attributes: { region: c.attributes.region },
    consents: [{ channel: 'email', purpose: 'marketing', status: rnd.chance(0.5) ? 'granted' : 'unknown' }],
  };
  // Surname first and the generator's index keep the address unlike any generated one.
  const otherDomain = rnd.pick(['daum.net', 'kakao.com', 'hanmail.net'].filter((d) => d !== domain));
  switch (kind) {
    case 'name_birthday':
      return { kind, input: { ...base, birthday: c.birthday, email: `${surname}.${given}${digits}@${otherDomain}` } };
    case 'email_variant': {
      const email = domain === 'gmail.com' ? `${given}${surname}${digits}@gmail.com` : `${given}.${surname}${digits}+shop@${domain}`;
      return { kind, input: { ...base, email } };
    }
    case 'name_phone_tail': {
      const middle = String((Number(c.phone.slice(5, 9)) + rnd.int(1, 9998)) % 10_000).padStart(4, '0');
      return { kind, input: { ...base, email: `${surname}.${given}${digits}@${otherDomain}`, phone: `${c.phone.slice(0, 5)}${middle}${c.phone.slice(-4)}` } };
    }
  }
}

async function ensureDemoAttributes(db: Db, opts: { workspaceId: string; actor: Actor }): Promise<string[]> {
  const have = new Set((await listAttributeDefs(db, { workspaceId: opts.workspaceId })).map((d) => d.key));
  const created: string[] = [];
  for (const input of DEMO_ATTRIBUTES) {
    if (have.has(input.key)) continue;
    await db.transaction((tx) => createAttributeDef(tx, { workspaceId: opts.workspaceId, actor: opts.actor, input }));
    created.push(input.key);
  }
  return created;
}

/**
 * Loads `count` demo customers into a workspace, in batches of one transaction each. Matched by
 * external id, so loading again updates the same customers instead of adding more.
 */
export async function loadDemoCustomers(db: Db, opts: DemoOptions): Promise<DemoResult> {
  const seed = opts.seed ?? 42;
  const now = startOfDay(opts.now ?? new Date());
  const batchSize = opts.batchSize ?? 500;
  const attributesCreated = await ensureDemoAttributes(db, opts);
  const defs = await listAttributeDefs(db, { workspaceId: opts.workspaceId });
  // Streams of their own, so the customers stay those of generateCustomers for the same seed.
  const stageRnd = createRandom(seed ^ 0x5ea50);
  const dupRnd = createRandom(seed ^ 0xd0b1e);
  const duplicateRate = opts.duplicateRate ?? 0.01;
  const noteCount = Math.min(opts.notes ?? 12, Math.ceil(opts.count / 10));
  const noteEvery = noteCount > 0 ? Math.max(1, Math.floor(opts.count / noteCount)) : 0;

  const result: DemoResult = { created: 0, updated: 0, failed: 0, duplicates: [], notes: 0, attributesCreated };
  const pendingDuplicates: { input: CustomerInput; planted: PlantedDuplicate }[] = [];
  const noteTargets: { externalId: string; index: number }[] = [];
  const save = async (rows: CustomerInput[]): Promise<(UpsertResult & { externalId: string })[]> => {
    const results = await db.transaction((tx) =>
      upsertCustomers(tx, { workspaceId: opts.workspaceId, actor: opts.actor, rows, matchBy: 'externalId', defs, consentSource: 'signup' }),
    );
    return results.map((r) => ({ ...r, externalId: rows[r.index]!.externalId! }));
  };
  const tally = (results: UpsertResult[]) => {
    for (const r of results) if (r.status !== 'deferred') result[r.status]++; // one batch at a time: nothing is deferred
  };

  let batch: CustomerInput[] = [];
  const ids = new Map<string, string>(); // external id → customer id, for the notes
  let index = 0;
  for (const c of generateCustomers({ seed, count: opts.count, now })) {
    const stage = stageOf(c, stageRnd, now);
    batch.push(toDemoInput(c, stage, stage === 'loyal' && stageRnd.chance(0.5)));
    if (dupRnd.chance(duplicateRate)) {
      const dup = duplicateOf(c, pendingDuplicates.length, dupRnd, now);
      pendingDuplicates.push({ input: dup.input, planted: { externalId: dup.input.externalId!, duplicateOf: c.externalId, kind: dup.kind } });
    }
    if (noteEvery && index % noteEvery === Math.floor(noteEvery / 2) && noteTargets.length < noteCount) noteTargets.push({ externalId: c.externalId, index });
    index++;
    if (batch.length >= batchSize) {
      const saved = await save(batch);
      tally(saved);
      for (const r of saved) if (r.status === 'created' && r.id && noteTargets.some((t) => t.externalId === r.externalId)) ids.set(r.externalId, r.id);
      batch = [];
    }
  }
  if (batch.length) {
    const saved = await save(batch);
    tally(saved);
    for (const r of saved) if (r.status === 'created' && r.id && noteTargets.some((t) => t.externalId === r.externalId)) ids.set(r.externalId, r.id);
  }

  // After every generated customer, so a duplicate never takes an identity a later customer needs.
  for (let i = 0; i < pendingDuplicates.length; i += batchSize) {
    const slice = pendingDuplicates.slice(i, i + batchSize);
    const saved = await save(slice.map((d) => d.input));
    tally(saved);
    saved.forEach((r, j) => {
      if (r.status !== 'failed') result.duplicates.push(slice[j]!.planted);
    });
  }

  // Notes only on customers this run created, so loading again does not repeat them.
  await db.transaction(async (tx) => {
    for (const [n, t] of noteTargets.entries()) {
      const customerId = ids.get(t.externalId);
      if (!customerId) continue;
      await addNote(tx, { workspaceId: opts.workspaceId, customerId, actor: opts.actor, body: NOTES[n % NOTES.length]! });
      result.notes++;
    }
  });

  const behaviourCustomers = Math.min(opts.count, opts.behaviourCustomers ?? 100);
  if (behaviourCustomers > 0) {
    result.behaviour = await loadDemoBehaviour(db, { workspaceId: opts.workspaceId, customers: behaviourCustomers, seed, customersAsOf: now, now: opts.now });
  }
  return result;
}
