// Which CSV column fills which customer field: the targets an import knows, a mapping suggested
// from the headers (ours, Korean, HubSpot and Salesforce exports, custom attributes) and its
// validation. Pure.
import type { AttributeDef } from '../attributes.ts';
import { CHANNELS, PURPOSES } from '../fields.ts';

import { FIELD_TARGETS, type FieldTarget } from '../vocabulary.ts';
export { FIELD_TARGETS, type FieldTarget };

/** CSV header → target (`""` ignores the column). */
export type Mapping = Record<string, string>;

/** What a target means, resolved: a standard field, a custom attribute or a consent. */
export type ResolvedTarget =
  | { kind: 'field'; field: FieldTarget }
  | { kind: 'attribute'; key: string }
  | { kind: 'consent'; channel: (typeof CHANNELS)[number]; purpose: (typeof PURPOSES)[number] }
  | { kind: 'ignore' };

export function resolveTarget(target: string, defs: readonly AttributeDef[]): ResolvedTarget | undefined {
  if (target === '') return { kind: 'ignore' };
  if ((FIELD_TARGETS as readonly string[]).includes(target)) return { kind: 'field', field: target as FieldTarget };
  if (target.startsWith('attributes.')) {
    const key = target.slice('attributes.'.length);
    return defs.some((d) => d.key === key) ? { kind: 'attribute', key } : undefined;
  }
  const consent = /^consent\.([a-z_]+)\.([a-z_]+)$/.exec(target);
  if (consent && (CHANNELS as readonly string[]).includes(consent[1]!) && (PURPOSES as readonly string[]).includes(consent[2]!)) {
    return { kind: 'consent', channel: consent[1] as (typeof CHANNELS)[number], purpose: consent[2] as (typeof PURPOSES)[number] };
  }
  return undefined;
}

/** Every target a workspace's import may use, for pickers and error messages. */
export function knownTargets(defs: readonly AttributeDef[]): string[] {
  return [
    ...FIELD_TARGETS,
    ...defs.map((d) => `attributes.${d.key}`),
    ...CHANNELS.flatMap((c) => PURPOSES.map((p) => `consent.${c}.${p}`)),
  ];
}

/** A header as it is compared: lower case, no spaces or punctuation (`First Name` → `firstname`). */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-./()*:#[\]]+/g, '');
}

// Header keys of each target, best first within a target. Korean shop and CRM exports,
// HubSpot contact exports (`First Name`, `Phone Number`, `Record ID`, `Create Date`, …) and
// Salesforce contact exports (`FirstName`, `MobilePhone`, `Id`, `LeadSource`, `CreatedDate`, …).
const SYNONYMS: Record<FieldTarget, string[]> = {
  externalId: ['externalid', 'customerid', 'memberid', 'customerno', 'customernumber', '고객번호', '회원번호', '고객id', '회원id', '고객코드', '회원코드', 'recordid', 'contactid', 'hubspotid', 'id', '아이디'],
  email: ['email', 'emailaddress', 'e메일', '이메일', '이메일주소', '메일', '메일주소', '전자우편', 'mail'],
  // Mobile numbers first: SMS and KakaoTalk need them.
  phone: ['mobile', 'mobilephone', 'mobilephonenumber', 'mobilenumber', 'cellphone', 'cell', '휴대폰', '휴대폰번호', '휴대전화', '휴대전화번호', '핸드폰', '핸드폰번호', '휴대번호', 'phone', 'phonenumber', 'telephone', 'tel', '전화번호', '연락처', '전화'],
  name: ['name', 'fullname', 'customername', 'contactname', '이름', '성명', '고객명', '회원명', '성함', '이름성명'],
  firstName: ['firstname', 'givenname', 'first'],
  lastName: ['lastname', 'surname', 'familyname', 'last', '성'],
  locale: ['locale', 'language', '언어'],
  timeZone: ['timezone', '시간대'],
  birthday: ['birthday', 'birthdate', 'dateofbirth', 'dob', '생년월일', '생일'],
  gender: ['gender', 'sex', '성별'],
  signedUpAt: ['signedupat', 'signupdate', 'signedup', 'joindate', 'joinedat', 'registrationdate', 'registeredat', '가입일', '가입일시', '가입일자', '가입날짜', '등록일', '등록일시', 'createdate', 'createddate', 'createdat', 'createdon'],
  lifecycleStage: ['lifecyclestage', 'stage', 'customerstage', '단계', '고객단계', '라이프사이클', '라이프사이클단계', '고객등급단계'],
  tags: ['tags', 'tag', 'labels', '태그', '라벨'],
  source: ['source', 'originalsource', 'leadsource', 'acquisitionsource', 'signupsource', 'utmsource', '유입경로', '가입경로', '유입채널', '유입처'],
};

// Consent columns as Korean shops and other tools name them.
const CONSENT_SYNONYMS: Record<string, string[]> = {
  'consent.email.marketing': ['emailconsent', 'emailoptin', 'emailmarketingconsent', 'marketingemailconsent', '이메일수신동의', '이메일수신여부', '메일수신동의', 'email수신동의'],
  'consent.sms.marketing': ['smsconsent', 'smsoptin', 'smsmarketingconsent', 'sms수신동의', 'sms수신여부', '문자수신동의', '문자수신여부'],
  'consent.kakao.marketing': ['kakaoconsent', 'kakaooptin', '카카오수신동의', '카카오톡수신동의', '알림톡수신동의', '친구톡수신동의'],
  'consent.push.marketing': ['pushconsent', 'pushoptin', '푸시수신동의', '앱푸시수신동의', 'push수신동의'],
  'consent.sms.night_ads': ['야간수신동의', '야간광고수신동의', '야간광고성정보수신동의'],
};

// Columns that fill a custom attribute when the workspace has one of these keys.
const ATTRIBUTE_HINTS: { keys: string[]; headers: string[] }[] = [
  { keys: ['region', 'city'], headers: ['region', 'city', 'mailingcity', 'state', 'mailingstate', '지역', '시도', '도시', '거주지역', '주소지역'] },
  { keys: ['company'], headers: ['company', 'companyname', 'accountname', '회사', '회사명', '직장'] },
  { keys: ['job_title', 'title'], headers: ['jobtitle', 'title', '직함', '직책'] },
];

/**
 * The mapping suggested for these headers: each target at most once, for its best-matching
 * column. Columns nothing matches map to `""` (ignored).
 */
export function suggestMapping(headers: readonly string[], defs: readonly AttributeDef[]): Mapping {
  const keys = headers.map(headerKey);
  const candidates: { column: number; target: string; rank: number }[] = [];
  // "이름" is the given name when a column holds the surname ("성"), the full name otherwise.
  const hasSurname = keys.some((k) => k === '성' || k === 'lastname' || k === 'surname');
  keys.forEach((key, column) => {
    const header = headers[column]!.trim();
    const own = resolveTarget(header, defs);
    if (own && own.kind !== 'ignore') {
      candidates.push({ column, target: header, rank: -1 });
      return;
    }
    if (hasSurname && key === '이름') {
      candidates.push({ column, target: 'firstName', rank: 0 });
      return;
    }
    for (const [target, synonyms] of Object.entries(SYNONYMS)) {
      const rank = synonyms.indexOf(key);
      if (rank !== -1) candidates.push({ column, target, rank });
    }
    for (const def of defs) {
      if (key === headerKey(def.key) || key === headerKey(def.label) || key === `attributes${headerKey(def.key)}`) {
        candidates.push({ column, target: `attributes.${def.key}`, rank: 0 });
      }
    }
    for (const hint of ATTRIBUTE_HINTS) {
      const rank = hint.headers.indexOf(key);
      const def = defs.find((d) => hint.keys.includes(d.key));
      if (rank !== -1 && def) candidates.push({ column, target: `attributes.${def.key}`, rank: 50 + rank });
    }
    for (const [target, synonyms] of Object.entries(CONSENT_SYNONYMS)) {
      const rank = synonyms.indexOf(key);
      if (rank !== -1) candidates.push({ column, target, rank });
    }
  });
  candidates.sort((a, b) => a.rank - b.rank || a.column - b.column);
  const byColumn = new Map<number, string>();
  const used = new Set<string>();
  for (const c of candidates) {
    if (byColumn.has(c.column) || used.has(c.target)) continue;
    byColumn.set(c.column, c.target);
    used.add(c.target);
  }
  const mapping: Mapping = {};
  headers.forEach((h, column) => {
    if (!(h in mapping)) mapping[h] = byColumn.get(column) ?? '';
  });
  return mapping;
}

export type MappingProblem = { header: string; message: string };

/** Problems of a mapping for a file with these headers: unknown targets, headers not in the file. */
export function checkMapping(mapping: Mapping, headers: readonly string[], defs: readonly AttributeDef[]): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const inFile = new Set(headers);
  for (const [header, target] of Object.entries(mapping)) {
    if (!inFile.has(header)) problems.push({ header, message: 'is not a column of the file' });
    else if (typeof target !== 'string' || !resolveTarget(target, defs)) {
      problems.push({
        header,
        message: `"${String(target)}" is not an import target (${FIELD_TARGETS.join(', ')}, attributes.<key> of a defined attribute, consent.<channel>.<purpose>, or "" to skip the column)`,
      });
    }
  }
  return problems;
}
