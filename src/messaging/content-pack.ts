// What an e-mail was rendered to is kept for the message log and so that a retry sends the same
// bytes, but ~14 KB of JSON a message is most of what a campaign writes to the database. It is
// stored packed: brotli at quality 1 makes ~14 KB into ~3 KB in ~0.04 ms (docs/messaging.md, the
// benchmark). SMS, KakaoTalk, push and webhook contents are small and stay JSON (`content`), where
// reports read their type.
import zlib from 'node:zlib';

const PACK_OPTIONS = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
};

/** Whether a message of this kind stores its content packed. */
export const packsContent = (kind: string): boolean => kind === 'email';

export function packContent(content: unknown): Buffer {
  return zlib.brotliCompressSync(JSON.stringify(content), PACK_OPTIONS);
}

/** A message's stored content, whichever way it was stored; null when it has none (not rendered yet, or erased). */
export function storedContent(row: { content: Record<string, unknown> | null; contentPacked: Uint8Array | null }): Record<string, unknown> | null {
  if (row.content) return row.content;
  if (!row.contentPacked) return null;
  const packed = Buffer.from(row.contentPacked.buffer, row.contentPacked.byteOffset, row.contentPacked.byteLength);
  return JSON.parse(zlib.brotliDecompressSync(packed).toString('utf8')) as Record<string, unknown>;
}
