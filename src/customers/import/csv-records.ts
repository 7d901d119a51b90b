// Splits CSV text (RFC 4180: quoted fields, "" for a quote, newlines inside quotes) into
// records, chunk by chunk, numbering each record by the line it starts on. A malformed record
// is returned as an error and parsing goes on with the next line, so one stray quote costs one
// row, not the rest of the file. (csv-parse's skip_records_with_error drops the rest of the
// chunk on some errors and numbers records by their last line, which is why this is our own.)

export type CsvRecord = { line: number; fields: string[]; error?: undefined } | { line: number; fields?: undefined; error: string };

export type CsvSplitter = {
  /** Records completed by this chunk. */
  push(text: string): CsvRecord[];
  /** The records left at the end of the input. */
  end(): CsvRecord[];
};

type Step = { record?: CsvRecord; next: number; nextLine: number } | 'more';

/**
 * `maxRecordChars` bounds a record (and so the memory a broken quote can take): a quoted value
 * still open after that many characters is reported as never closed.
 */
export function createCsvSplitter(opts: { delimiter: string; maxRecordChars?: number }): CsvSplitter {
  const delim = opts.delimiter;
  const maxChars = opts.maxRecordChars ?? 1_000_000;
  let buf = '';
  let line = 1; // the line buf[0] is on
  let skippingLongLine = false;

  function countNewlines(from: number, to: number): number {
    let n = 0;
    for (let i = buf.indexOf('\n', from); i !== -1 && i < to; i = buf.indexOf('\n', i + 1)) n++;
    return n;
  }

  /** The end of the physical line containing `from` (index of its \n, or of the buffer's end). */
  function lineEnd(from: number, final: boolean): number | undefined {
    const nl = buf.indexOf('\n', from);
    if (nl !== -1) return nl;
    return final ? buf.length : undefined;
  }

  /** Parses one record that contains a quote, character-exact. */
  function parseRecord(pos: number, final: boolean): Step {
    const startLine = line;
    const fields: string[] = [];
    let lineNo = line;
    let i = pos;
    // A broken record is reported on its first line; reading goes on from the line after it,
    // so rows a stray quote swallowed are read again on their own.
    const malformed = (message: string): Step => {
      const end = lineEnd(pos, final);
      if (end === undefined) return 'more';
      return { record: { line: startLine, error: message }, next: end + 1, nextLine: startLine + 1 };
    };
    for (;;) {
      if (buf.charCodeAt(i) === 34 /* " */) {
        i++;
        let value = '';
        for (;;) {
          const q = buf.indexOf('"', i);
          if (q === -1) {
            if (!final && buf.length - pos <= maxChars) return 'more';
            return malformed(`column ${fields.length + 1}: a quoted value that starts on this line is never closed`);
          }
          if (q - pos > maxChars) return malformed(`column ${fields.length + 1}: a quoted value runs over ${maxChars} characters (is a closing quote missing?)`);
          if (q + 1 >= buf.length && !final) return 'more';
          lineNo += countNewlines(i, q);
          value += buf.slice(i, q);
          if (buf.charCodeAt(q + 1) === 34) {
            value += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const c = buf.charCodeAt(i);
        if (i >= buf.length) {
          fields.push(value);
          return { record: { line: startLine, fields }, next: i, nextLine: lineNo };
        }
        if (buf.startsWith(delim, i)) {
          fields.push(value);
          i += delim.length;
          continue;
        }
        if (c === 10 /* \n */ || (c === 13 && buf.charCodeAt(i + 1) === 10)) {
          fields.push(value);
          return { record: { line: startLine, fields }, next: i + (c === 13 ? 2 : 1), nextLine: lineNo + 1 };
        }
        if (c === 13 && i + 1 >= buf.length) {
          if (!final) return 'more';
          fields.push(value);
          return { record: { line: startLine, fields }, next: i + 1, nextLine: lineNo };
        }
        return malformed(`column ${fields.length + 1}: unexpected ${JSON.stringify(buf[i])} after a closing quote (a quote inside a quoted value is written "")`);
      }
      const end = lineEnd(i, final);
      if (end === undefined) return 'more';
      const d = buf.indexOf(delim, i);
      const fieldEnd = d !== -1 && d < end ? d : end;
      let value = buf.slice(i, fieldEnd);
      if (fieldEnd === end && value.endsWith('\r')) value = value.slice(0, -1);
      if (value.includes('"')) return malformed(`column ${fields.length + 1}: a quote inside a value that is not quoted (quote the whole value and write the quote as "")`);
      fields.push(value);
      if (fieldEnd === end) return { record: { line: startLine, fields }, next: end + 1, nextLine: lineNo + 1 };
      i = d + delim.length;
    }
  }

  function drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    let pos = 0;
    let nextQuote = -2; // index of the next quote at or after pos; -1: none left; -2: not looked yet
    while (pos < buf.length) {
      let nl = buf.indexOf('\n', pos);
      if (skippingLongLine) {
        if (nl === -1) {
          pos = buf.length;
          break;
        }
        skippingLongLine = false;
        pos = nl + 1;
        line++;
        continue;
      }
      if (nl === -1) {
        if (!final) {
          if (buf.length - pos > maxChars) {
            out.push({ line, error: `the line is longer than ${maxChars} characters` });
            skippingLongLine = true;
            pos = buf.length;
          }
          break;
        }
        nl = buf.length;
      }
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf('"', pos);
      if (nextQuote === -1 || nextQuote > nl) {
        const end = nl > pos && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > pos) out.push({ line, fields: buf.slice(pos, end).split(delim) });
        pos = nl + 1;
        line++;
        continue;
      }
      const step = parseRecord(pos, final);
      if (step === 'more') break;
      if (step.record) out.push(step.record);
      pos = step.next;
      line = step.nextLine;
    }
    buf = pos >= buf.length ? '' : buf.slice(pos);
    return out;
  }

  return {
    push(text) {
      buf += text;
      return drain(false);
    },
    end() {
      return drain(true);
    },
  };
}
