import { describe, expect, it } from 'vitest';
import { headerKey, mapOrderHeaders, mapProductHeaders, missingColumns, orderLineRow, parseLocalTime, productRow } from './import-rows.ts';

describe('commerce CSV rows', () => {
  it('normalises headers and maps English and Korean names, the most specific name first', () => {
    expect(headerKey(' Product Name ')).toBe('productname');
    expect(headerKey('상품 명')).toBe('상품명');
    const headers = ['상품코드', '상품명', '판매가', '브랜드', '카테고리', '색상'];
    expect(Object.fromEntries(mapProductHeaders(headers))).toEqual({ sku: 0, name: 1, price: 2, brand: 3, category: 4 });
    // Shopify's "Name" is the order number, unless an order id column says it better.
    expect(mapOrderHeaders(['Name', 'Email', 'Lineitem name', 'Lineitem quantity', 'Lineitem price', 'Total']).get('orderId')).toBe(0);
    expect(Object.fromEntries(mapOrderHeaders(['name', 'order_id', 'product_name']))).toMatchObject({ orderId: 1, productName: 2 });
    expect(missingColumns('products', mapProductHeaders(['name']))).toContain('SKU');
    expect(missingColumns('orders', mapOrderHeaders(['sku']))).toContain('order id');
    expect(missingColumns('orders', mapOrderHeaders(['주문번호']))).toBeUndefined();
  });

  it('reads a product row: prices in major units, unknown columns as attributes', () => {
    const headers = ['sku', 'name', 'price', 'currency', 'colour', 'size'];
    const columns = mapProductHeaders(headers);
    expect(productRow(['A-1', '셔츠', '89,000', '', 'navy', ''], headers, columns, 'KRW')).toEqual({ input: { sku: 'A-1', name: '셔츠', price: 89000, attributes: { colour: 'navy' } }, issues: [] });
    expect(productRow(['A-2', 'Tee', '12.99', 'usd', '', ''], headers, columns, 'KRW').input).toMatchObject({ price: 1299, currency: 'USD' });
    expect(productRow(['A-3', 'x', 'free', 'dollars', '', ''], headers, columns, 'KRW').issues).toEqual([
      { column: 'currency', message: '"dollars" is not an ISO 4217 code such as KRW or USD' },
      { column: 'price', message: '"free" is not an amount (write 12.99 or 89,000)' },
    ]);
    expect(productRow(['', 'x', '', '', '', ''], headers, columns, 'KRW')).toEqual({ issues: [{ column: 'sku', message: 'the SKU is empty' }] });
  });

  it.each<[string, string, string | undefined]>([
    ['2024-05-01', 'Asia/Seoul', '2024-04-30T15:00:00.000Z'],
    ['2024.5.1 09:30', 'Asia/Seoul', '2024-05-01T00:30:00.000Z'],
    ['2024-03-10 03:30', 'America/New_York', '2024-03-10T07:30:00.000Z'],
    ['2024-07-01T12:00:00Z', 'Asia/Seoul', '2024-07-01T12:00:00.000Z'],
    ['2024-07-01T12:00:00+09:00', 'UTC', '2024-07-01T03:00:00.000Z'],
    ['2024-07-01 12:00:00.5', 'UTC', '2024-07-01T12:00:00.500Z'],
    ['2024-02-30', 'UTC', undefined],
    ['01/05/2024', 'UTC', undefined],
  ])('time %s in %s → %s', (raw, zone, iso) => {
    expect(parseLocalTime(raw, zone)?.toISOString()).toBe(iso);
  });

  it('reads an order line: the order fields, the customer, the item', () => {
    const headers = ['주문번호', '주문일시', '이메일', '상품코드', '상품명', '수량', '단가', '배송비', '결제금액'];
    const columns = mapOrderHeaders(headers);
    const row = orderLineRow(['1001', '2024.05.01 13:45', 'kim@example.com', 'A-1', '셔츠', '2', '30,000', '3,000', '63,000'], headers, columns, 'KRW', 'Asia/Seoul');
    expect(row).toEqual({
      orderId: '1001',
      order: {
        externalId: '1001',
        currency: undefined,
        placedAt: '2024-05-01T04:45:00.000Z',
        subtotal: undefined,
        discount: undefined,
        shipping: 3000,
        tax: undefined,
        total: 63000,
        coupon: undefined,
        customer: { email: 'kim@example.com', phone: undefined, externalId: undefined, userId: undefined },
      },
      item: { sku: 'A-1', name: '셔츠', category: undefined, brand: undefined, unitPrice: 30000, quantity: 2 },
      issues: [],
    });
    const bad = orderLineRow(['1002', 'yesterday', '', 'A-1', '', 'two', '1', '', ''], headers, columns, 'KRW');
    expect(bad.issues).toEqual([
      { column: '주문일시', message: '"yesterday" is not a date (write 2024-05-01 or 2024-05-01T13:45:00+09:00)' },
      { column: '수량', message: '"two" is not a quantity (a whole number ≥ 1)' },
    ]);
    expect(orderLineRow(['', '', '', '', '', '', '', '', ''], headers, columns, 'KRW')).toEqual({ issues: [{ column: '주문번호', message: 'the order id is empty' }] });
  });
});
