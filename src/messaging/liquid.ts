// The Liquid engines messages are written in, and the checks a template passes when it is saved:
// Liquid syntax, unknown variables (`customer.nmae`), and MJML compiled to HTML with every Liquid
// tag still in it. Three engines differ only in how an output is escaped: HTML for e-mail bodies,
// nothing for texts (SMS, Kakao, push, subjects), JSON for webhook bodies (each output is a JSON
// value). Templates cannot read files: include, render and layout are refused.
import { Liquid, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import mjml2html from 'mjml';

export type Escape = 'html' | 'none' | 'json';

/** What a template's problem is and where: `body`, `subject`, `options.buttons[0].linkMo`, … */
export type TemplateIssue = { field: string; message: string; line?: number; col?: number };

class RefusedTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    // A message template is one text: reading other files by name would read the server's files.
    throw new Error(`{% ${token.name} %} is not available in message templates`);
  }
  render(): void {}
}

function makeEngine(escape: Escape): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: true,
    // `{{ customer.name | default: "고객" }}` works when the value is null or empty (and in if/unless).
    lenientIf: true,
    ownPropertyOnly: true,
    outputEscape: escape === 'html' ? 'escape' : escape === 'json' ? 'json' : undefined,
    templates: {},
    // A marketer's `{% for i in (1..100000000) %}` stops instead of holding the worker.
    renderLimit: 2_000,
    memoryLimit: 20_000_000,
    parseLimit: 1_000_000,
  });
  for (const name of ['include', 'render', 'layout']) engine.registerTag(name, RefusedTag);
  return engine;
}

const engines: Record<Escape, Liquid> = { html: makeEngine('html'), none: makeEngine('none'), json: makeEngine('json') };

export function liquidEngine(escape: Escape): Liquid {
  return engines[escape];
}

/** A Liquid error as the editor shows it: the message without LiquidJS's repeated position, plus the position. */
export function liquidIssue(field: string, err: unknown): TemplateIssue {
  const e = err as { message?: string; token?: { getPosition?: () => [number, number] } };
  const raw = String(e?.message ?? err);
  const m = /,\s*line:(\d+),\s*col:(\d+)\s*$/.exec(raw);
  const message = raw.replace(/,\s*line:\d+,\s*col:\d+\s*$/, '');
  return { field, message: `${field}: ${message}`, ...(m ? { line: Number(m[1]), col: Number(m[2]) } : {}) };
}

// --- what a template may refer to ---------------------------------------------------------------

/** The shape of what templates are given: names a template may use, and what lies below them. */
export type VariableSpec =
  | { type: 'any' }
  | { type: 'scalar' }
  | { type: 'object'; fields: Record<string, VariableSpec> }
  | { type: 'list'; items: VariableSpec };

type Segment = string | number | Segment[];

/** Liquid's own properties of strings and arrays. */
const BUILT_IN = new Set(['size', 'first', 'last']);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggestion(name: string, known: string[], prefix: string): string {
  const best = known.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= (name.length <= 3 ? 1 : 2) ? ` (did you mean ${prefix}${best[0]}?)` : '';
}

const show = (segs: Segment[]) => segs.map((s, i) => (Array.isArray(s) ? '[…]' : typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** Why `segs` does not name something of `spec` (undefined when it does). */
function pathProblem(spec: VariableSpec, segs: Segment[], i: number): string | undefined {
  if (i >= segs.length || spec.type === 'any') return undefined;
  const seg = segs[i]!;
  if (Array.isArray(seg)) return undefined; // a computed key: cannot be known before sending
  const here = show(segs.slice(0, i));
  if (spec.type === 'scalar') return seg === 'size' && i === segs.length - 1 ? undefined : `${here} has no ${String(seg)}`;
  if (spec.type === 'list') {
    if (seg === 'size') return i === segs.length - 1 ? undefined : `${here}.size has no fields`;
    if (typeof seg === 'number' || seg === 'first' || seg === 'last') return pathProblem(spec.items, segs, i + 1);
    return `${here} is a list: use {% for … in ${here} %}, .first, .last or .size`;
  }
  if (typeof seg === 'string' && Object.hasOwn(spec.fields, seg)) return pathProblem(spec.fields[seg]!, segs, i + 1);
  if (seg === 'size') return undefined;
  return `${here} has no ${String(seg)}${suggestion(String(seg), Object.keys(spec.fields), `${here}.`)}`;
}

function* walk(templates: Template[]): Generator<Template> {
  for (const t of templates) {
    yield t;
    if (t.children) {
      const gen = t.children(false, true);
      let step = gen.next();
      while (!step.done) step = gen.next();
      yield* walk(step.value);
    }
  }
}

/**
 * Unknown names in parsed Liquid: a root the context does not have (`custmer.name`), a field its
 * object does not have (`customer.nmae`), and fields of a loop's item (`{% for p in
 * recommendations %}{{ p.nmae }}`). Every branch is checked, taken or not.
 */
export function unknownVariables(engine: Liquid, templates: Template[], field: string, roots: Record<string, VariableSpec>): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const analysis = engine.analyzeSync(templates, { partials: false });
  const report = (segs: Segment[], problem: string, loc: { row: number; col: number }) =>
    issues.push({ field, message: `${field}: ${problem} ({{ ${show(segs)} }}, line ${loc.row})`, line: loc.row, col: loc.col });

  for (const [root, uses] of Object.entries(analysis.globals)) {
    const spec = Object.hasOwn(roots, root) ? roots[root] : undefined;
    for (const v of uses) {
      const segs = v.toArray() as Segment[];
      if (!spec) {
        report(segs, `unknown variable ${root}${suggestion(root, Object.keys(roots), '')}; known: ${Object.keys(roots).join(', ')}`, v.location);
        continue;
      }
      const problem = pathProblem(spec, segs, 1);
      if (problem) report(segs, problem, v.location);
    }
  }

  // Loop variables over a known list (`p` in `for p in recommendations`): their fields are known too.
  const bound = new Map<string, VariableSpec | null>();
  for (const t of walk(templates)) {
    const token = t.token as Partial<TagToken>;
    if (token.name !== 'for' && token.name !== 'tablerow') continue;
    const m = /^\s*([\w-]+)\s+in\s+([\w-]+(?:\.[\w-]+)*)/.exec(token.args ?? '');
    if (!m) continue;
    const [, name, collection] = m as unknown as [string, string, string];
    const segs = collection.split('.');
    let spec: VariableSpec | undefined = roots[segs[0]!];
    for (const s of segs.slice(1)) spec = spec?.type === 'object' ? spec.fields[s] : undefined;
    const items = spec?.type === 'list' ? spec.items : null;
    // A name bound to two different things is not checked (which one applies depends on place).
    bound.set(name, bound.has(name) && bound.get(name) !== items ? null : items);
  }
  for (const [name, items] of bound) {
    if (!items) continue;
    const uses = analysis.variables[name] ?? [];
    const global = new Set((analysis.globals[name] ?? []).map((v) => `${v.location.row}:${v.location.col}`));
    for (const v of uses) {
      if (global.has(`${v.location.row}:${v.location.col}`)) continue;
      const segs = v.toArray() as Segment[];
      const problem = pathProblem(items, segs, 1);
      if (problem) report(segs, problem, v.location);
    }
  }
  return issues;
}

/** Parses Liquid and checks its names; the parsed template, or the problems. */
export function checkLiquid(text: string, field: string, escape: Escape, roots: Record<string, VariableSpec>): { templates: Template[] } | { issues: TemplateIssue[] } {
  const engine = liquidEngine(escape);
  let templates: Template[];
  try {
    templates = engine.parse(text);
  } catch (err) {
    return { issues: [liquidIssue(field, err)] };
  }
  let issues: TemplateIssue[];
  try {
    issues = unknownVariables(engine, templates, field, roots);
  } catch (err) {
    // The analysis walks LiquidJS's parse tree: a construct it cannot follow is refused, not a 500.
    issues = [liquidIssue(field, err)];
  }
  return issues.length ? { issues } : { templates };
}

// --- MJML ---------------------------------------------------------------------------------------

const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const normaliseTag = (tag: string) => tag.replace(/\s+/g, ' ');

/** Each Liquid tag of a text, its spaces normalised, with how often it occurs. */
export function liquidTags(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const tag of text.match(LIQUID_TAG) ?? []) out.set(normaliseTag(tag), (out.get(normaliseTag(tag)) ?? 0) + 1);
  return out;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * MJML compiled to HTML, once per template version. MJML drops text that sits between its
 * elements, so a Liquid tag there (`{% for %}` around sections) would vanish and the e-mail would
 * go out without its loop: every Liquid tag of the source must still be in the HTML, or the
 * source is refused, naming the tag and its line.
 */
export async function compileMjml(source: string, field = 'body'): Promise<{ html: string } | { issues: TemplateIssue[] }> {
  let result: { html: string; errors: { line: number; message: string; tagName: string }[] };
  try {
    result = await mjml2html(source, { validationLevel: 'soft', keepComments: false, ignoreIncludes: true, minify: false, beautify: false });
  } catch (err) {
    return { issues: [{ field, message: `${field}: MJML: ${(err as Error).message}` }] };
  }
  if (result.errors.length) {
    return { issues: result.errors.map((e) => ({ field, line: e.line, message: `${field}: MJML line ${e.line}: ${e.message}` })) };
  }
  const left = liquidTags(result.html);
  const issues: TemplateIssue[] = [];
  for (const m of source.matchAll(LIQUID_TAG)) {
    const tag = normaliseTag(m[0]);
    const n = left.get(tag) ?? 0;
    if (n > 0) {
      left.set(tag, n - 1);
      continue;
    }
    const line = lineOf(source, m.index);
    issues.push({
      field,
      line,
      message: `${field}: MJML dropped or changed the Liquid ${tag} on line ${line}: put Liquid that sits between MJML elements inside <mj-raw>…</mj-raw>, and use single quotes inside attributes`,
    });
  }
  return issues.length ? { issues } : { html: result.html };
}

// --- a small cache ------------------------------------------------------------------------------

/** A map that forgets its least recently used entry past `max` entries. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}
