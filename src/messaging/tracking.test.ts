import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addOpenPixel, clickUrl, decodeHtmlAttribute, openPixelUrl, rewriteLinks, verifyTrackingToken } from './tracking.ts';

const key = crypto.randomBytes(32);
const ref = { workspaceId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', messageId: '0193a1b2-c3d4-7e5f-8a9b-aaaaaaaaaaaa', baseUrl: 'https://crm.example.com', key };
const tokenOf = (url: string) => url.split('/').at(-1)!.replace(/\.gif$/, '');

describe('tracking tokens', () => {
  it('name the workspace, the message and the link, and are short', () => {
    const click = tokenOf(clickUrl(ref, 7));
    expect(click.length).toBeLessThanOrEqual(64);
    expect(verifyTrackingToken(key, click)).toEqual({ kind: 'click', workspaceId: ref.workspaceId, messageId: ref.messageId, index: 7 });
    const open = tokenOf(openPixelUrl(ref));
    expect(open.length).toBeLessThanOrEqual(60);
    expect(verifyTrackingToken(key, open)).toEqual({ kind: 'open', workspaceId: ref.workspaceId, messageId: ref.messageId });
    expect(openPixelUrl(ref)).toMatch(/^https:\/\/crm\.example\.com\/o\/[A-Za-z0-9_-]+\.gif$/);
  });

  it('refuse a changed byte, another server key, another workspace and junk', () => {
    const click = tokenOf(clickUrl(ref, 3));
    const raw = Buffer.from(click, 'base64url');
    // Every single-bit change anywhere in the token (kind, ids, index, MAC) is refused.
    for (let i = 0; i < raw.length; i++) {
      const changed = Buffer.from(raw);
      changed[i] = changed[i]! ^ 1;
      expect(verifyTrackingToken(key, changed.toString('base64url'))).toBeNull();
    }
    expect(verifyTrackingToken(crypto.randomBytes(32), click)).toBeNull();
    // The same message id signed for another workspace is not valid for this one's.
    const other = tokenOf(clickUrl({ ...ref, workspaceId: '0193a1b2-c3d4-7e5f-8a9b-bbbbbbbbbbbb' }, 3));
    const swapped = Buffer.concat([Buffer.from(other, 'base64url').subarray(0, 35), raw.subarray(35)]);
    expect(verifyTrackingToken(key, swapped.toString('base64url'))).toBeNull();
    for (const junk of ['', 'abc', 'x'.repeat(63), `${click}A`, click.slice(0, -1), `${click.slice(0, 20)}.${click.slice(21)}`]) {
      expect(verifyTrackingToken(key, junk)).toBeNull();
    }
    // An open token is not a click token.
    const open = Buffer.from(tokenOf(openPixelUrl(ref)), 'base64url');
    open[0] = 2;
    expect(verifyTrackingToken(key, open.toString('base64url'))).toBeNull();
  });
});

describe('rewriteLinks', () => {
  it('points every http(s) link at the click redirect and keeps the original by index', () => {
    const html = [
      '<html><body>',
      '<a href="https://shop.example.com/sale?a=1&amp;b=2" class="btn">Sale</a>',
      "<A HREF='http://shop.example.com/p/1'>P1</A>",
      '<a title="x > y" href=https://shop.example.com/bare>bare</a>',
      '<a href="https://shop.example.com/sale?a=1&amp;b=2">Sale again</a>',
      '<a href="mailto:help@shop.example.com">mail</a>',
      '<a href="tel:+82-2-1234-5678">call</a>',
      '<a href="https://crm.example.com/u/abc.def.email.mac">unsubscribe</a>',
      '<a data-rapport-notrack href="https://shop.example.com/private">keep</a>',
      '<a href="#top">top</a><a name="x">anchor</a>',
      '<abbr href="https://shop.example.com/not-a-link">x</abbr>',
      '</body></html>',
    ].join('\n');
    const { html: out, links } = rewriteLinks(html, ref);
    expect(links).toEqual(['https://shop.example.com/sale?a=1&b=2', 'http://shop.example.com/p/1', 'https://shop.example.com/bare']);
    const hrefs = [...out.matchAll(/href="(https:\/\/crm\.example\.com\/r\/[^"]+)"/gi)].map((m) => verifyTrackingToken(key, tokenOf(m[1]!)));
    expect(hrefs.map((t) => (t?.kind === 'click' ? t.index : null))).toEqual([0, 1, 2, 0]);
    expect(out).toContain('class="btn"');
    expect(out).toContain('title="x > y"');
    expect(out).toContain('href="mailto:help@shop.example.com"');
    expect(out).toContain('href="tel:+82-2-1234-5678"');
    expect(out).toContain('href="https://crm.example.com/u/abc.def.email.mac"');
    expect(out).toContain('href="https://shop.example.com/private"');
    expect(out).toContain('href="#top"');
    expect(out).toContain('<abbr href="https://shop.example.com/not-a-link">');
    expect(out).not.toContain('shop.example.com/sale');
  });

  it('leaves HTML without links as it was', () => {
    const html = '<p>No links here, only <b>text</b> & an <img src="https://cdn.example.com/x.png"></p>';
    expect(rewriteLinks(html, ref)).toEqual({ html, links: [] });
  });

  it('decodes character references in addresses', () => {
    expect(decodeHtmlAttribute('https://x.example/?a=1&amp;b=&#50;&#x33;&quot;&unknown;')).toBe('https://x.example/?a=1&b=23"&unknown;');
  });
});

describe('addOpenPixel', () => {
  it('puts the pixel before </body>, or at the end', () => {
    const url = openPixelUrl(ref);
    expect(addOpenPixel('<html><body><p>Hi</p></body></html>', url)).toMatch(new RegExp(`<p>Hi</p><img src="${url.replace(/[.?]/g, '\\$&')}"[^>]*></body></html>$`));
    expect(addOpenPixel('<p>Hi</p>', url).startsWith('<p>Hi</p><img ')).toBe(true);
  });
});
