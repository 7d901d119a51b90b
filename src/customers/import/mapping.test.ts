import { describe, expect, it } from 'vitest';
import type { AttributeDef } from '../attributes.ts';
import { checkMapping, knownTargets, suggestMapping } from './mapping.ts';
import { convertRecord, joinName, normaliseDateText, parseConsent, parseStage, planColumns } from './values.ts';

const def = (key: string, label: string, type: AttributeDef['type'] = 'text'): AttributeDef => ({
  key,
  label,
  type,
  options: null,
  purpose: 'marketing',
  description: null,
  required: false,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const DEFS = [def('region', '지역'), def('height_cm', '키', 'number'), def('preferred_style', 'Preferred style')];

describe('suggested mapping', () => {
  it('maps a HubSpot contact export', () => {
    const headers = ['Record ID', 'First Name', 'Last Name', 'Email', 'Phone Number', 'Mobile Phone Number', 'Lifecycle Stage', 'Create Date', 'Contact owner', 'City', 'Original Source'];
    expect(suggestMapping(headers, DEFS)).toEqual({
      'Record ID': 'externalId',
      'First Name': 'firstName',
      'Last Name': 'lastName',
      Email: 'email',
      'Phone Number': '',
      'Mobile Phone Number': 'phone',
      'Lifecycle Stage': 'lifecycleStage',
      'Create Date': 'signedUpAt',
      'Contact owner': '',
      City: 'attributes.region',
      'Original Source': 'source',
    });
  });

  it('maps a Salesforce contact export', () => {
    const headers = ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Birthdate', 'LeadSource', 'CreatedDate', 'MailingCity', 'AccountId'];
    expect(suggestMapping(headers, DEFS)).toEqual({
      Id: 'externalId',
      FirstName: 'firstName',
      LastName: 'lastName',
      Email: 'email',
      Phone: '',
      MobilePhone: 'phone',
      Birthdate: 'birthday',
      LeadSource: 'source',
      CreatedDate: 'signedUpAt',
      MailingCity: 'attributes.region',
      AccountId: '',
    });
  });

  it('maps Korean headers, custom attribute labels and consent columns', () => {
    const headers = ['회원번호', '성명', '이메일', '휴대전화', '생년월일', '성별', '가입일', '태그', '유입경로', '지역', '키', '이메일 수신동의', 'SMS 수신동의', '메모'];
    expect(suggestMapping(headers, DEFS)).toEqual({
      회원번호: 'externalId',
      성명: 'name',
      이메일: 'email',
      휴대전화: 'phone',
      생년월일: 'birthday',
      성별: 'gender',
      가입일: 'signedUpAt',
      태그: 'tags',
      유입경로: 'source',
      지역: 'attributes.region',
      키: 'attributes.height_cm',
      '이메일 수신동의': 'consent.email.marketing',
      'SMS 수신동의': 'consent.sms.marketing',
      메모: '',
    });
  });

  it('reads 이름 as the given name when a surname column is there', () => {
    expect(suggestMapping(['성', '이름', '전화번호'], DEFS)).toEqual({ 성: 'lastName', 이름: 'firstName', 전화번호: 'phone' });
    expect(suggestMapping(['이름', '전화번호'], DEFS)).toEqual({ 이름: 'name', 전화번호: 'phone' });
  });

  it('maps our own export headers to themselves', () => {
    const headers = ['id', 'externalId', 'name', 'email', 'phone', 'createdAt', 'signedUpAt', 'attributes.region', 'consent.sms.night_ads'];
    expect(suggestMapping(headers, DEFS)).toEqual({
      id: '',
      externalId: 'externalId',
      name: 'name',
      email: 'email',
      phone: 'phone',
      createdAt: '',
      signedUpAt: 'signedUpAt',
      'attributes.region': 'attributes.region',
      'consent.sms.night_ads': 'consent.sms.night_ads',
    });
  });
});

describe('mapping check', () => {
  it('names the header of an unknown target and of a column the file does not have', () => {
    const problems = checkMapping({ 이메일: 'email', 성별: 'sex', 키: 'attributes.weight', Nope: 'name', 동의: 'consent.fax.marketing', 메모: '' }, ['이메일', '성별', '키', '동의', '메모'], DEFS);
    expect(problems.map((p) => p.header)).toEqual(['성별', '키', 'Nope', '동의']);
    expect(problems[0]!.message).toContain('"sex" is not an import target');
    expect(problems[2]!.message).toBe('is not a column of the file');
  });

  it('lists the targets a workspace can use', () => {
    expect(knownTargets(DEFS)).toEqual(expect.arrayContaining(['email', 'firstName', 'attributes.height_cm', 'consent.kakao.night_ads']));
  });
});

describe('values', () => {
  it.each([
    ['lead', 'lead'],
    ['Marketing Qualified Lead', 'lead'],
    ['salesqualifiedlead', 'lead'],
    ['Opportunity', 'lead'],
    ['Customer', 'customer'],
    ['Evangelist', 'loyal'],
    ['Subscriber', 'subscriber'],
    ['Open - Not Contacted', 'lead'],
    ['Closed - Converted', 'customer'],
    ['이탈 고객', 'churned'],
    ['휴면', 'churned'],
    ['VIP', 'loyal'],
    ['Other', undefined],
    ['platinum', undefined],
  ])('stage %j → %j', (raw, expected) => {
    expect(parseStage(raw)).toBe(expected);
  });

  it.each([
    ['yes', 'granted'],
    ['Y', 'granted'],
    ['TRUE', 'granted'],
    ['1', 'granted'],
    ['granted', 'granted'],
    ['동의', 'granted'],
    ['no', 'denied'],
    ['N', 'denied'],
    ['false', 'denied'],
    ['0', 'denied'],
    ['denied', 'denied'],
    ['거부', 'denied'],
    ['opt-out', 'denied'],
    ['maybe', undefined],
  ])('consent %j → %j', (raw, expected) => {
    expect(parseConsent(raw)).toBe(expected);
  });

  it('joins Hangul names surname first without a space, Latin names first name first', () => {
    expect(joinName('민지', '김')).toBe('김민지');
    expect(joinName('Jane', 'Doe')).toBe('Jane Doe');
    expect(joinName(undefined, '김')).toBe('김');
    expect(joinName('Jane', undefined)).toBe('Jane');
  });

  it.each([
    ['19940307', '1994-03-07'],
    ['1994.3.7', '1994-03-07'],
    ['1994/03/07', '1994-03-07'],
    ['1994년 3월 7일', '1994-03-07'],
    ['2025.05.01 10:30', '2025-05-01 10:30'],
    ['2025-05-01T10:30:00Z', '2025-05-01T10:30:00Z'],
  ])('date %j → %j', (raw, expected) => {
    expect(normaliseDateText(raw)).toBe(expected);
  });

  it('converts a record: names joined, tags split, empty cells left out, first non-empty column wins', () => {
    const headers = ['성', '이름', '이메일', '메일2', '태그', '단계', '지역', 'SMS', '메모'];
    const mapping = { 성: 'lastName', 이름: 'firstName', 이메일: 'email', 메일2: 'email', 태그: 'tags', 단계: 'lifecycleStage', 지역: 'attributes.region', SMS: 'consent.sms.marketing', 메모: '' };
    const plan = planColumns(headers, mapping, DEFS);
    const row = convertRecord(['김', '민지', '', 'minji@naver.com', 'vip; newsletter|student', 'Customer', '', 'Y', 'hello'], plan);
    expect(row.issues).toEqual([]);
    expect(row.input).toEqual({ name: '김민지', email: 'minji@naver.com', tags: ['vip', ' newsletter', 'student'], lifecycleStage: 'customer' });
    expect(row.consents).toEqual([{ channel: 'sms', purpose: 'marketing', status: 'granted' }]);

    const bad = convertRecord(['', '', 'a@b.io', '', '', 'platinum', '', 'sometimes', ''], plan);
    expect(bad.issues).toEqual([
      { column: '단계', message: expect.stringContaining('"platinum" is not a lifecycle stage') },
      { column: 'SMS', message: expect.stringContaining('"sometimes" is not a consent answer') },
    ]);
  });

  it("reads back values our export escaped for spreadsheets ('+82…)", () => {
    const plan = planColumns(['phone', 'name'], { phone: 'phone', name: 'name' }, []);
    expect(convertRecord(["'+821012345678", "'=cmd"], plan).input).toEqual({ phone: '+821012345678', name: '=cmd' });
  });
});
