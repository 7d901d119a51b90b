import { describe, expect, it } from 'vitest';
import { cartLineOfEvent, categoryPath, orderIdOfEvent, orderOfEvent, productFacts, productsOfEvent, quantity, refundOfEvent } from './segment.ts';

describe('Segment e-commerce properties', () => {
  it('names a product by sku, else product_id (numbers as text), and reads its facts', () => {
    expect(productFacts({ sku: ' S-1 ', product_id: 'P-1', name: ' Shirt ', brand: 'B', category: 'Men>Shirts', price: '19.90', image_url: 'i', url: 'u' }, 'USD')).toEqual({
      sku: 'S-1',
      name: 'Shirt',
      brand: 'B',
      category: 'Men > Shirts',
      price: 1990,
      currency: 'USD',
      imageUrl: 'i',
      url: 'u',
    });
    expect(productFacts({ product_id: 507, price: -5 }, 'KRW')).toMatchObject({ sku: '507', price: null, name: null });
    expect(productFacts({ name: 'no id' }, 'KRW')).toBeNull();
    expect(productFacts({ sku: 'x', currency: 'jpy', price: 1200.4 }, 'USD')).toMatchObject({ currency: 'JPY', price: 1200 });
  });

  it.each<[unknown, string | null]>([
    ['Women > Shoes > Sneakers', 'Women > Shoes > Sneakers'],
    ['Women>Shoes', 'Women > Shoes'],
    [['Women', ' Shoes ', null, ''], 'Women > Shoes'],
    ['  ', null],
    [42, '42'],
    [{}, null],
  ])('category %j → %j', (raw, path) => {
    expect(categoryPath(raw)).toBe(path);
  });

  it.each<[unknown, number]>([
    [undefined, 1],
    [3, 3],
    ['2', 2],
    [2.6, 3],
    [0, 1],
    [-4, 1],
    ['many', 1],
    [1e12, 1_000_000],
  ])('quantity %j → %i', (raw, q) => {
    expect(quantity(raw)).toBe(q);
  });

  it('lists the product of an event and its products[] in the event currency', () => {
    const facts = productsOfEvent({ sku: 'A', price: 10, currency: 'USD', products: [{ product_id: 'B', price: 2.5 }, 'junk', { nothing: 1 }] }, 'KRW');
    expect(facts.map((f) => [f.sku, f.price, f.currency])).toEqual([
      ['A', 1000, 'USD'],
      ['B', 250, 'USD'],
    ]);
  });

  it('reads a cart line with its cart id and whether a quantity was given', () => {
    expect(cartLineOfEvent({ product_id: 'A', cart_id: 'c-1', quantity: 2, price: 5000 }, 'KRW')).toMatchObject({ sku: 'A', cartId: 'c-1', quantity: 2, quantityGiven: true, price: 5000 });
    expect(cartLineOfEvent({ sku: 'A' }, 'KRW')).toMatchObject({ quantity: 1, quantityGiven: false, cartId: null });
    expect(cartLineOfEvent({}, 'KRW')).toBeNull();
  });

  it('reads an order: total, else revenue, else lines − discount + shipping + tax; discounts as positive amounts', () => {
    expect(orderOfEvent({ order_id: 1001, total: 45000, revenue: 40000, products: [{ sku: 'A', price: 20000, quantity: 2 }] }, 'KRW')).toMatchObject({
      externalId: '1001',
      total: 45000,
      subtotal: 40000,
      items: [{ sku: 'A', price: 20000, quantity: 2, currency: 'KRW' }],
    });
    expect(orderOfEvent({ revenue: '30.00', currency: 'usd' }, 'KRW')).toMatchObject({ externalId: null, currency: 'USD', total: 3000, subtotal: 0 });
    expect(orderOfEvent({ discount: -5, shipping: 2.5, tax: 1, coupon: ' SALE ', products: [{ sku: 'A', price: 10, quantity: 3 }] }, 'USD')).toMatchObject({
      subtotal: 3000,
      discount: 500,
      shipping: 250,
      tax: 100,
      total: 3000 - 500 + 250 + 100,
      coupon: 'SALE',
    });
    expect(orderOfEvent({ discount: 100 }, 'KRW').total).toBe(0);
  });

  it('reads a refund in the currency of the refunded order', () => {
    expect(orderIdOfEvent({ order_id: 77 })).toBe('77');
    expect(refundOfEvent({ order_id: 'o1', total: 12.5, reason: ' 불량 ', refund_id: 'r1' }, 'USD')).toEqual({ orderExternalId: 'o1', amount: 1250, items: [], reason: '불량', externalId: 'r1' });
    expect(refundOfEvent({ order_id: 'o1', products: [{ sku: 'A', quantity: 1 }] }, 'KRW')).toMatchObject({ amount: null, items: [{ sku: 'A', quantity: 1 }] });
    expect(refundOfEvent({ total: 5 }, 'KRW')).toBeNull();
  });
});
