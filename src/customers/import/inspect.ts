// A first look at an uploaded CSV, before anything is imported: encoding, delimiter, headers,
// a few rows and the mapping we suggest.
import { AppError } from '../../errors.ts';
import type { AttributeDef } from '../attributes.ts';
import { createCsvSplitter } from './csv-records.ts';
import { decodeHead, detectDelimiter, detectEncoding, readHead, type Delimiter, type Encoding, type EncodingChoice } from './decode.ts';
import { suggestMapping, type Mapping } from './mapping.ts';

export type CsvInspection = {
  encoding: Encoding;
  delimiter: Delimiter;
  headers: string[];
  /** The first five data rows, as written. */
  sample: string[][];
  suggestedMapping: Mapping;
  fileBytes: number;
};

/** Header names made usable as mapping keys: trimmed, never empty, never twice the same. */
export function uniqueHeaders(fields: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, i) => {
    const base = raw.trim() || `column ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

const SAMPLE_BYTES = 256 * 1024;

export async function inspectCsv(filePath: string, encoding: EncodingChoice = 'auto', defs: readonly AttributeDef[] = []): Promise<CsvInspection> {
  const head = await readHead(filePath);
  const resolved = encoding === 'auto' ? detectEncoding(head.bytes, head.complete) : encoding;
  const sampleBytes = head.bytes.subarray(0, SAMPLE_BYTES);
  const text = decodeHead(sampleBytes, resolved);
  const delimiter = detectDelimiter(text);
  const splitter = createCsvSplitter({ delimiter });
  const records = splitter.push(text);
  if (head.complete && sampleBytes.length === head.bytes.length) records.push(...splitter.end());
  const [first, ...rest] = records;
  if (!first) throw new AppError('invalid_input', head.size === 0 ? 'file: the file is empty' : 'file: no header line found in the first 256 KB');
  if (first.error !== undefined) throw new AppError('invalid_input', `file: line ${first.line} (the header): ${first.error}`);
  const headers = uniqueHeaders(first.fields);
  return {
    encoding: resolved,
    delimiter,
    headers,
    sample: rest
      .filter((r) => r.fields && r.fields.some((f) => f.trim() !== ''))
      .slice(0, 5)
      .map((r) => r.fields!),
    suggestedMapping: suggestMapping(headers, defs),
    fileBytes: head.size,
  };
}
