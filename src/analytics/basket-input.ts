// Basket files: one basket per line, item names separated by a comma or by whitespace
// (arules' `read.transactions(format = "basket")`, FIMI's .dat files).

/**
 * `,` (or any other literal string) splits on that string; `' '` or `'whitespace'` splits on runs of
 * spaces and tabs, as FIMI's .dat files need. The whitespace split is never guessed per line: a
 * one-item comma line such as `whole milk` would otherwise come apart.
 */
export type BasketParseOptions = { separator?: string };

const WHITESPACE = /\s+/;

function splitterFor(separator: string): string | RegExp {
  return separator === ' ' || separator === 'whitespace' ? WHITESPACE : separator;
}

/** The items of one line, trimmed (`cream cheese ` in groceries.csv carries a space), or undefined for a blank line. */
export function parseBasketLine(line: string, options: BasketParseOptions = {}): string[] | undefined {
  const items: string[] = [];
  for (const raw of line.split(splitterFor(options.separator ?? ','))) {
    const item = raw.trim();
    if (item) items.push(item);
  }
  return items.length ? items : undefined;
}

/** Every basket of a whole file's text; blank lines are not baskets. */
export function parseBaskets(text: string, options: BasketParseOptions = {}): string[][] {
  const baskets: string[][] = [];
  for (const line of text.split('\n')) {
    const basket = parseBasketLine(line, options);
    if (basket) baskets.push(basket);
  }
  return baskets;
}

/**
 * The baskets of a text arriving in chunks (a file stream with an encoding set), one at a time, so
 * a large file need not be held as one string. Chunks may cut a line anywhere.
 */
export async function* streamBaskets(chunks: AsyncIterable<string>, options: BasketParseOptions = {}): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of chunks) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const basket = parseBasketLine(line, options);
      if (basket) yield basket;
    }
  }
  const last = parseBasketLine(rest, options);
  if (last) yield last;
}
