import { describe, expect, it } from 'vitest';
import { changeKind, emptyForm, errorFromMessage, fieldErrors, fromVersion, MJML_STARTER, toInput } from './template-form.ts';

describe('template form', () => {
  it('starts an e-mail with an MJML skeleton and an SMS empty', () => {
    expect(emptyForm('email')).toMatchObject({ format: 'mjml', body: MJML_STARTER });
    expect(emptyForm('sms')).toMatchObject({ format: 'text', body: '' });
  });

  it('drops the untouched MJML skeleton when the kind changes, but keeps written text', () => {
    expect(changeKind(emptyForm('email'), 'sms')).toMatchObject({ kind: 'sms', format: 'text', body: '' });
    const written = { ...emptyForm('sms'), body: '{{ customer.name }}님 안녕하세요', subject: '' };
    expect(changeKind(written, 'kakao')).toMatchObject({ kind: 'kakao', format: 'text', body: '{{ customer.name }}님 안녕하세요' });
    expect(changeKind({ ...emptyForm('email'), subject: 'Hi' }, 'kakao').subject).toBe('');
  });

  it('sends Kakao buttons and the AlimTalk template code as options, and reads them back', () => {
    const form = { ...emptyForm('kakao'), name: ' Order ', body: 'Hi', kakaoType: 'alimtalk' as const, templateCode: ' T-1 ', buttons: [{ name: 'Track', link: 'https://shop.kr/t' }, { name: ' ', link: '' }] };
    const input = toInput(form);
    expect(input).toEqual({
      name: 'Order',
      kind: 'kakao',
      purpose: 'marketing',
      format: 'text',
      subject: null,
      body: 'Hi',
      options: { type: 'alimtalk', templateCode: 'T-1', buttons: [{ name: 'Track', type: 'WL', linkMo: 'https://shop.kr/t', linkPc: 'https://shop.kr/t' }] },
    });
    const back = fromVersion({ name: 'Order', kind: 'kakao', purpose: 'marketing' }, { subject: null, body: 'Hi', format: 'text', options: input.options! });
    expect(back).toMatchObject({ kakaoType: 'alimtalk', templateCode: 'T-1', buttons: [{ name: 'Track', link: 'https://shop.kr/t' }] });
  });

  it('keeps a subject only for the kinds that have one', () => {
    expect(toInput({ ...emptyForm('email'), subject: '(광고) Sale' }).subject).toBe('(광고) Sale');
    expect(toInput({ ...emptyForm('sms'), subject: '  ' }).subject).toBeNull();
    expect(toInput({ ...emptyForm('push'), subject: 'New', url: 'https://shop.kr' }).options).toEqual({ url: 'https://shop.kr' });
  });
});

describe('fieldErrors', () => {
  it('puts each error under its field and keeps the rest', () => {
    expect(
      fieldErrors([
        { field: 'body', message: 'unknown variable customer.nmae' },
        { field: 'body.subject', message: 'is required' },
        { field: 'options.templateCode', message: 'AlimTalk needs an approved template code' },
        { field: 'body', message: 'is longer than 2,000 bytes' },
        { field: 'lane', message: 'odd' },
      ]),
    ).toEqual({
      body: 'unknown variable customer.nmae\nis longer than 2,000 bytes',
      subject: 'is required',
      options: 'AlimTalk needs an approved template code',
      other: ['lane: odd'],
    });
  });

  it('does not name the field again under it', () => {
    expect(fieldErrors([{ field: 'body', message: 'body: unknown variable customer.nmae (line 1)' }, { field: 'options.buttons[0].name', message: 'options.buttons[0].name: too long' }])).toEqual({
      body: 'unknown variable customer.nmae (line 1)',
      options: 'too long',
      other: [],
    });
  });

  it('reads the field from an API error message', () => {
    expect(errorFromMessage('body.body: unknown variable x')).toEqual({ field: 'body.body', message: 'unknown variable x' });
    expect(errorFromMessage('something broke')).toEqual({ field: '', message: 'something broke' });
  });
});
