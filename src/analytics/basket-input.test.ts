import { describe, expect, it } from 'vitest';
import { parseBasketLine, parseBaskets, streamBaskets } from './basket-input.ts';

async function* chunksOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('basket files', () => {
  it.each([
    ['pip fruit,yogurt,cream cheese ,meat spreads', ',', ['pip fruit', 'yogurt', 'cream cheese', 'meat spreads']],
    ['whole milk', ',', ['whole milk']],
    ['a,,b, ,c,\r', ',', ['a', 'b', 'c']],
    ['30 31 32 ', ' ', ['30', '31', '32']],
    ['\t30  31\t32\r', 'whitespace', ['30', '31', '32']],
    ['a;b ; c', ';', ['a', 'b', 'c']],
  ])('splits %j on %j', (line, separator, items) => {
    expect(parseBasketLine(line, { separator })).toEqual(items);
  });

  it.each([[''], ['   '], ['\r'], [', ,']])('has no basket on the blank line %j', (line) => {
    expect(parseBasketLine(line)).toBeUndefined();
  });

  it('reads a whole text, skipping blank lines, keeping repeats for the miner to merge', () => {
    expect(parseBaskets('a,b\r\n\r\nb,b\nc')).toEqual([['a', 'b'], ['b', 'b'], ['c']]);
  });

  it.each([1, 2, 3, 7, 100])('streams the same baskets when chunks cut lines every %i characters', async (size) => {
    const text = 'citrus fruit,margarine\n\ntropical fruit, yogurt ,coffee\r\nwhole milk';
    const streamed: string[][] = [];
    for await (const basket of streamBaskets(chunksOf(text, size))) streamed.push(basket);
    expect(streamed).toEqual(parseBaskets(text));
    expect(streamed).toHaveLength(3);
  });
});
