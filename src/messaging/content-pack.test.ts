// Packed e-mail contents: what is stored comes back exactly, from node-postgres' Buffer and from
// PGlite's Uint8Array alike, and is much smaller than its JSON.
import { describe, expect, it } from 'vitest';
import { packContent, packsContent, storedContent } from './content-pack.ts';

// A rendered newsletter's shape: MJML's table layout repeats its inline styles for every block.
function newsletter(name: string) {
  const blocks = Array.from({ length: 30 }, (_, i) =>
    `<tr><td align="left" style="font-size:0px;padding:10px 25px;word-break:break-word;"><div style="font-family:Ubuntu, Helvetica, Arial, sans-serif;font-size:13px;line-height:1;text-align:left;color:#000000;">${name}님을 위한 추천 상품 ${i + 1} <a href="https://shop.example.com/r/${i}?m=abc">보기</a></div></td></tr>`,
  ).join('');
  return { kind: 'email', subject: `(광고) ${name}님, 이번 주 추천`, html: `<!doctype html><html><body><table>${blocks}</table></body></html>`, text: `${name}님을 위한 추천 상품`, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }, messageIdHeader: '<m1@rapport>' };
}

describe('packed message content', () => {
  it('comes back as stored, from a Buffer or a Uint8Array view into a larger buffer', () => {
    const content = newsletter('김민지');
    const packed = packContent(content);
    expect(packed.length).toBeLessThan(JSON.stringify(content).length / 3);
    expect(storedContent({ content: null, contentPacked: packed })).toEqual(content);
    // PGlite hands back a view that need not start at its buffer's start.
    const larger = new Uint8Array(packed.length + 16);
    larger.set(packed, 7);
    expect(storedContent({ content: null, contentPacked: larger.subarray(7, 7 + packed.length) })).toEqual(content);
  });

  it('reads JSON content as it is, and nothing when there is none', () => {
    expect(storedContent({ content: { kind: 'sms', text: '안녕하세요' }, contentPacked: null })).toEqual({ kind: 'sms', text: '안녕하세요' });
    expect(storedContent({ content: null, contentPacked: null })).toBeNull();
  });

  it('packs e-mails only: the other kinds are small, and reports read their type from the JSON', () => {
    expect(['email', 'sms', 'kakao', 'push', 'webhook'].filter(packsContent)).toEqual(['email']);
  });
});
