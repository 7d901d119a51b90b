// Values typed into a filter or an attribute field as text, stored as what they look like: true
// and false as booleans, plain numbers as numbers (not "007": a leading zero keeps it text). Pure.
export type Scalar = string | number | boolean;

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function parseValue(text: string): Scalar {
  const v = text.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (NUMBER.test(v)) return Number(v);
  return text;
}

export function valueText(v: Scalar | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}
