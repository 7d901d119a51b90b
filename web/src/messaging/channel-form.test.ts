import { describe, expect, it } from 'vitest';
import type { Channel } from './api.ts';
import { channelForm, errorField, newChannelForm, toCreate, toPatch } from './channel-form.ts';

const smtp: Channel = {
  id: 'c1',
  kind: 'email',
  provider: 'smtp',
  name: 'Shop mail',
  settings: { host: 'smtp.shop.kr', port: 587, from: 'Shop <news@shop.kr>', secure: false },
  secretsSet: { user: true, password: true, dkimPrivateKey: false },
  isDefault: true,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  archivedAt: null,
};

describe('channel form', () => {
  it('splits a new channel into settings (numbers as numbers) and secrets, leaving out what is empty', () => {
    const form = newChannelForm('email');
    expect(form.provider).toBe('smtp');
    form.name = ' Shop mail ';
    form.values = { ...form.values, host: ' smtp.shop.kr ', from: 'news@shop.kr', user: 'news', password: 'pw', replyTo: '  ', secure: true };
    expect(toCreate(form)).toEqual({ kind: 'email', provider: 'smtp', name: 'Shop mail', settings: { host: 'smtp.shop.kr', port: 587, from: 'news@shop.kr', secure: true }, secrets: { user: 'news', password: 'pw' } });
  });

  it('never shows a stored secret, and keeps it unless a new one is typed', () => {
    const form = channelForm(smtp);
    expect(form.values).toEqual({ host: 'smtp.shop.kr', port: '587', from: 'Shop <news@shop.kr>', secure: false });
    expect(toPatch(form, smtp)).toEqual({});
    expect(toPatch({ ...form, values: { ...form.values, password: 'new' } }, smtp)).toEqual({ secrets: { password: 'new' } });
  });

  it('sends only what changed, and removes a setting that was emptied', () => {
    const form = channelForm(smtp);
    const patch = toPatch({ ...form, name: 'Mail', values: { ...form.values, port: '465', secure: true, from: '' } }, smtp);
    expect(patch).toEqual({ name: 'Mail', settings: { port: 465, secure: true, from: null } });
  });

  it('reads the field from the server error', () => {
    expect(errorField('body.settings.host: is not a host name')).toEqual({ field: 'host', message: 'is not a host name' });
    expect(errorField('body.secrets.apiKey: is required')).toEqual({ field: 'apiKey', message: 'is required' });
    expect(errorField('body.name: too long')).toEqual({ field: 'name', message: 'too long' });
    expect(errorField('conflict')).toEqual({ field: null, message: 'conflict' });
  });
});
