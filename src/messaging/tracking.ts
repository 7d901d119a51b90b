// Open and click tracking on Rapport's own address: at send time every http(s) link of an
// e-mail's HTML is replaced by `${base}/r/<token>` and an open pixel `${base}/o/<token>.gif` is
// added. A token names the workspace, the message and (for a click) the link's index in
// messages.links, and carries an HMAC under a key derived per workspace from the server key, so
// nobody can make one that redirects elsewhere or records an open on someone else's message.
// Pure: no database, no clock.
import crypto from 'node:crypto';

type TokenKind = 'open' | 'click';
const KIND_BYTE: Record<TokenKind, number> = { open: 1, click: 2 };
/** 96 bits of MAC: guessing one takes ~2^95 requests, far beyond what the rate limit lets through. */
const MAC_BYTES = 12;
const UUID_BYTES = 16;
/** Link indexes are two bytes; a message with more distinct links keeps the rest untracked. */
export const MAX_TRACKED_LINKS = 65_535;

export type TrackingRef = {
  workspaceId: string;
  messageId: string;
  /** RAPPORT_PUBLIC_URL (no trailing slash needed). */
  baseUrl: string;
  /** The server key, serverKey(config) from src/events/identity-verification.ts. */
  key: Buffer;
};

export type TrackingToken = { kind: 'open'; workspaceId: string; messageId: string } | { kind: 'click'; workspaceId: string; messageId: string; index: number };

const keyCache = new Map<string, Buffer>();

/** The workspace's tracking key: HMAC(server key, label ‖ workspace), so one workspace's tokens mean nothing in another. */
function workspaceKey(serverKey: Buffer, workspaceId: string): Buffer {
  const cacheKey = `${serverKey.toString('base64')}:${workspaceId}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    if (keyCache.size >= 10_000) keyCache.clear();
    key = crypto.createHmac('sha256', serverKey).update(`rapport message tracking v1:${workspaceId.toLowerCase()}`).digest();
    keyCache.set(cacheKey, key);
  }
  return key;
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
function bytesUuid(b: Buffer): string {
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function makeToken(key: Buffer, kind: TokenKind, workspaceId: string, messageId: string, index?: number): string {
  if (!isUuid(workspaceId) || !isUuid(messageId)) throw new Error('tracking token: workspaceId and messageId must be UUIDs');
  const parts = [Buffer.from([KIND_BYTE[kind]]), uuidBytes(workspaceId), uuidBytes(messageId)];
  if (kind === 'click') {
    const i = Buffer.alloc(2);
    i.writeUInt16BE(index!);
    parts.push(i);
  }
  const body = Buffer.concat(parts);
  const mac = crypto.createHmac('sha256', workspaceKey(key, workspaceId)).update(body).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([body, mac]).toString('base64url');
}

/** What a token stands for, or null when it is malformed or its MAC does not match (forged or from another server key). */
export function verifyTrackingToken(key: Buffer, token: string): TrackingToken | null {
  if (!/^[A-Za-z0-9_-]{40,80}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  const kind = raw[0] === KIND_BYTE.open ? 'open' : raw[0] === KIND_BYTE.click ? 'click' : null;
  if (!kind) return null;
  const bodyLength = 1 + 2 * UUID_BYTES + (kind === 'click' ? 2 : 0);
  if (raw.length !== bodyLength + MAC_BYTES) return null;
  // Re-encoding must give the same text: base64url has several spellings of the last character.
  if (raw.toString('base64url') !== token) return null;
  const workspaceId = bytesUuid(raw.subarray(1, 1 + UUID_BYTES));
  const messageId = bytesUuid(raw.subarray(1 + UUID_BYTES, 1 + 2 * UUID_BYTES));
  const body = raw.subarray(0, bodyLength);
  const expected = crypto.createHmac('sha256', workspaceKey(key, workspaceId)).update(body).digest().subarray(0, MAC_BYTES);
  if (!crypto.timingSafeEqual(expected, raw.subarray(bodyLength))) return null;
  if (kind === 'open') return { kind, workspaceId, messageId };
  return { kind, workspaceId, messageId, index: raw.readUInt16BE(1 + 2 * UUID_BYTES) };
}

const base = (url: string) => url.replace(/\/+$/, '');

export function clickUrl(ref: TrackingRef, index: number): string {
  return `${base(ref.baseUrl)}/r/${makeToken(ref.key, 'click', ref.workspaceId, ref.messageId, index)}`;
}

/** The open pixel's address: a 1×1 GIF that records the open when the mail client loads it. */
export function openPixelUrl(ref: TrackingRef): string {
  return `${base(ref.baseUrl)}/o/${makeToken(ref.key, 'open', ref.workspaceId, ref.messageId)}.gif`;
}

/** The pixel as an <img>, placed before </body> (or at the end when the HTML has none). */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${pixelUrl}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;overflow:hidden" />`;
  const at = html.search(/<\/body\s*>/i);
  return at < 0 ? html + img : html.slice(0, at) + img + html.slice(at);
}

// --- rewriting the links of an HTML message -------------------------------------------------

// An <a> start tag: attributes with quoted values may hold '>'.
const ANCHOR = /<a(\s(?:[^>"']|"[^"]*"|'[^']*')*)?>/gi;
// The href attribute: name preceded by white space, value quoted either way or bare.
const HREF = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const NOTRACK = /\sdata-rapport-notrack(?=[\s=/>]|$)/i;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The character references a link's address may hold in HTML (`&amp;` in query strings above all). */
export function decodeHtmlAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/**
 * Every http(s) link of the HTML pointed at Rapport's click redirect. Left as they are: mailto:,
 * tel: and other schemes, the unsubscribe link and anything else already on Rapport's own `/u/`,
 * `/r/` or `/o/` paths, and anchors marked `data-rapport-notrack`. The same address twice gets
 * one index. `links` (the addresses as the customer would have followed them, entities decoded)
 * is what messages.links keeps.
 */
export function rewriteLinks(html: string, ref: TrackingRef): { html: string; links: string[] } {
  const links: string[] = [];
  const indexOf = new Map<string, number>();
  const own = base(ref.baseUrl).toLowerCase();
  const out = html.replace(ANCHOR, (tag, attrs: string | undefined) => {
    if (!attrs || NOTRACK.test(attrs)) return tag;
    const m = HREF.exec(attrs);
    if (!m) return tag;
    const url = decodeHtmlAttribute(m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (!/^https?:\/\/[^\s/?#]/i.test(url)) return tag;
    const lower = url.toLowerCase();
    if (['/u/', '/r/', '/o/'].some((p) => lower.startsWith(own + p))) return tag;
    let index = indexOf.get(url);
    if (index === undefined) {
      if (links.length >= MAX_TRACKED_LINKS) return tag;
      index = links.length;
      links.push(url);
      indexOf.set(url, index);
    }
    const rewritten = attrs.slice(0, m.index) + `${m[1]}"${clickUrl(ref, index)}"` + attrs.slice(m.index + m[0].length);
    return `<a${rewritten}>`;
  });
  return { html: out, links };
}
