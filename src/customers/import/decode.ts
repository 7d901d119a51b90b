// Reading an uploaded CSV as text: which encoding it is in (UTF-8, or CP949/EUC-KR as Korean
// Excel saves "CSV"), which delimiter it uses, and a streaming decoder that counts raw bytes.
import fs from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { AppError } from '../../errors.ts';

/** The encodings an import reads. UTF-16 is what Excel's "Unicode text" saves (found by its BOM). */
export const ENCODINGS = ['utf-8', 'cp949', 'utf-16le'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export type EncodingChoice = 'auto' | Encoding;

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** How much of the file encoding and delimiter detection look at. */
export const HEAD_BYTES = 1 << 20;

/**
 * Whether `bytes` is UTF-8. `complete` false: the buffer is the start of a longer file, so a
 * sequence cut off at its very end still counts as valid.
 */
export function isUtf8(bytes: Uint8Array, complete: boolean): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return false;
    if (i + need >= n) {
      // The sequence runs past the end: fine only when the file goes on.
      if (complete) return false;
      for (let k = i + 1; k < n; k++) if ((bytes[k]! & 0xc0) !== 0x80) return false;
      return true;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** UTF-8 with or without BOM when the bytes are valid UTF-8; UTF-16 by its BOM; CP949 otherwise. */
export function detectEncoding(head: Uint8Array, complete: boolean): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  return isUtf8(head, complete) ? 'utf-8' : 'cp949';
}

/** The first `max` bytes of the file, and whether that is all of it. */
export async function readHead(filePath: string, max = HEAD_BYTES): Promise<{ bytes: Buffer; complete: boolean; size: number }> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(max, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), complete: bytesRead >= size, size };
  } finally {
    await handle.close();
  }
}

export async function resolveEncoding(filePath: string, choice: EncodingChoice = 'auto'): Promise<Encoding> {
  if (choice !== 'auto') return choice;
  const { bytes, complete } = await readHead(filePath);
  return detectEncoding(bytes, complete);
}

/**
 * Decodes a buffer (the head of a file) to text, without its BOM. Text with a NUL character is
 * not a CSV but a binary file (a spreadsheet, an image, an archive) uploaded as one: a 400.
 */
export function decodeHead(bytes: Buffer, encoding: Encoding): string {
  const text = iconv.decode(bytes, encoding, { stripBOM: true });
  if (text.includes('\u0000')) {
    throw new AppError('invalid_input', 'file: is not a text file (CSV) but binary data, such as an Excel workbook (.xlsx) or an image: save it as CSV and upload that');
  }
  return text;
}

/**
 * The delimiter of the header line: the one of comma, semicolon and tab that occurs most often
 * outside quotes (comma when none does).
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * The file as a stream of decoded text chunks. `onBytes` is told how many raw bytes have been
 * read so far (for progress). Never holds more than a chunk or two in memory.
 */
export function openTextStream(filePath: string, encoding: Encoding, onBytes?: (bytesRead: number) => void): AsyncIterable<string> & NodeJS.ReadableStream {
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytesRead += chunk.length;
      onBytes?.(bytesRead);
      done(null, chunk);
    },
  });
  const source = fs.createReadStream(filePath, { highWaterMark: 256 * 1024 });
  // The last stream of the pipeline is returned; an error anywhere destroys it, so readers see it.
  return pipeline(source, counter, iconv.decodeStream(encoding, { stripBOM: true }), () => {}) as unknown as AsyncIterable<string> & NodeJS.ReadableStream;
}
