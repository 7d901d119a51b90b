// The one detector of personal data: keys at any depth, e-mails and phones by value.
import { describe, expect, it } from 'vitest';
import { erasePersonalData, eraseText, isPersonalKey, isPersonalPath, isPersonalText, maskPersonalData, maskText } from './personal-data.ts';

describe('isPersonalKey', () => {
  it.each(['email', 'Email', 'E-mail', 'emailAddress', 'phone', 'phone_number', 'phoneNumber', 'billing_phone', 'shipping_address', 'address', 'first_name', 'lastName', 'birthday', 'ip', 'userAgent', 'traits', 'zip'])(
    '%s is personal',
    (key) => expect(isPersonalKey(key)).toBe(true),
  );
  it.each(['name', 'price', 'sku', 'url', 'order_id', 'category', 'currency'])('%s is not personal outside traits', (key) => expect(isPersonalKey(key)).toBe(false));
  it('takes name as a person’s in traits', () => expect(isPersonalKey('name', { traits: true })).toBe(true));
  it('finds a personal part of a path', () => {
    expect(isPersonalPath('customer.email')).toBe(true);
    expect(isPersonalPath('traits.plan')).toBe(true);
    expect(isPersonalPath('product.name')).toBe(false);
  });
});

describe('texts', () => {
  it.each([
    ['carol.s@example.com', true],
    ['https://shop.example/?email=carol.s%40example.com', true],
    ['010-1234-5678', true],
    ['+82 10 1234 5678', true],
    ['call me at 010-1234-5678 please', true],
    ['2026-12-07T03:13:52.470Z', false],
    ['2024-01-01', false],
    ['20240101123', false],
    ['39000', false],
    ['Linen shirt', false],
  ])('%s personal: %s', (text, personal) => expect(isPersonalText(text)).toBe(personal));

  it('masks and erases inside texts, keeping the rest', () => {
    expect(maskText('send to seojun@daum.net')).toBe('send to se***@daum.net');
    expect(eraseText('https://shop.example/?email=carol.s%40example.com&x=1')).toBe('https://shop.example/?email=[erased]&x=1');
    expect(eraseText('call 010-1234-5678')).toBe('call [erased]');
  });
});

describe('data', () => {
  const data = { total: 1, items: [{ name: 'Sneaker', sku: 'S1' }], customer: { email: 'a@b.co', id: 'c1' }, shipping_address: { city: '서울' }, page: { url: 'https://x.example/?u=a@b.co' } };
  it('masks keeping the shape', () => {
    expect(maskPersonalData(data)).toEqual({ total: 1, items: [{ name: 'Sneaker', sku: 'S1' }], customer: { email: 'a***@b.co', id: 'c1' }, shipping_address: { city: '***' }, page: { url: 'https://x.example/?u=a***@b.co' } });
  });
  it('erases personal keys and values', () => {
    expect(erasePersonalData(data)).toEqual({ total: 1, items: [{ name: 'Sneaker', sku: 'S1' }], customer: { id: 'c1' }, page: { url: 'https://x.example/?u=[erased]' } });
  });
});
