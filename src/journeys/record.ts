/**
 * From a `playwright codegen` recording to a journey: the recorded statements of each test, grouped
 * into `test.step`s at each navigation (a `goto`, or a click on a link), titled by it (`Open /cart`,
 * `Open 'Trail Running Shoes'`). Absolute URLs on the recording's origin become paths, so the journey
 * runs against any environment's `baseURL`. Variables codegen declares (a popup's `page1`) are
 * declared once before the steps, so later steps still see them. Parsed with the Babel parser
 * Playwright ships; statements are copied from the source by their positions, never re-printed.
 */
import { createRequire } from 'node:module';

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

type BabelParse = (code: string, filename: string, isModule: boolean) => Node;

/** A recording that is not what codegen writes: the message says what was expected. */
export class RecordingError extends Error {
  readonly code = 'E_RECORDING';
}

function parser(): BabelParse {
  const require = createRequire(import.meta.url);
  const bundle = require('playwright/lib/transform/babelBundle') as { babelParse?: BabelParse };
  if (typeof bundle.babelParse !== 'function') throw new RecordingError("this Playwright version ships no parser (playwright/lib/transform/babelBundle)");
  return bundle.babelParse;
}

export interface RecordOptions {
  /** Journey (test) title. */
  name: string;
  /** The recording's origin: `page.goto` on it becomes a path. Default: the first `goto`'s origin. */
  origin?: string;
}

interface Group {
  title: string;
  statements: string[];
}

/** The journey file for a codegen recording (`--target playwright-test`). */
export function recordingToJourney(source: string, opts: RecordOptions): string {
  const ast = parser()(source, 'recording.spec.ts', true);
  const fn = findTestFunction(ast);
  if (!fn) throw new RecordingError("no `test('...', async ({ page }) => { ... })` found in the recording");
  const statements = (fn.body as Node).body as Node[];
  const params = (fn.params as Node[]).map((p) => source.slice(p.start, p.end)).join(', ') || '{ page }';
  let origin = opts.origin;
  const groups: Group[] = [];
  const declared: string[] = [];
  const titles = new Map<string, number>();
  const startGroup = (title: string): void => {
    const n = (titles.get(title) ?? 0) + 1;
    titles.set(title, n);
    groups.push({ title: n > 1 ? `${title} (${n})` : title, statements: [] });
  };
  for (const st of statements) {
    const nav = navigation(st);
    if (nav?.kind === 'goto') {
      origin ??= originOf(nav.url);
      startGroup(`Open ${relative(nav.url, origin)}`);
    } else if (nav?.kind === 'link') {
      startGroup(`Open '${nav.name}'`);
    } else if (groups.length === 0) {
      startGroup('Start');
    }
    groups[groups.length - 1].statements.push(rewrite(source, st, origin, declared));
  }
  const lines = [`import { test, expect } from '@playwright/test';`, '', `test(${JSON.stringify(opts.name)}, async (${params}) => {`];
  if (declared.length) lines.push(`  let ${declared.join(', ')};`);
  for (const g of groups) {
    lines.push(`  await test.step(${JSON.stringify(g.title)}, async () => {`);
    for (const s of g.statements) lines.push(...s.split('\n').map((l) => `    ${l.trim() ? l.replace(/^\s{0,2}/, '') : ''}`.trimEnd()));
    lines.push('  });');
  }
  lines.push('});', '');
  return lines.join('\n');
}

function findTestFunction(ast: Node): Node | undefined {
  let found: Node | undefined;
  walk(ast, (node) => {
    if (found || node.type !== 'CallExpression') return;
    const callee = node.callee as Node;
    if (callee.type !== 'Identifier' || callee.name !== 'test') return;
    const args = node.arguments as Node[];
    const fn = args[args.length - 1];
    if (fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') && (fn.body as Node).type === 'BlockStatement') found = fn;
  });
  return found;
}

type Navigation = { kind: 'goto'; url: string; literal: Node } | { kind: 'link'; name: string };

/** `await page.goto('...')` or `await page.getByRole('link', { name: '...' }).click()`. */
function navigation(st: Node): Navigation | undefined {
  if (st.type !== 'ExpressionStatement') return undefined;
  let expr = st.expression as Node;
  if (expr.type === 'AwaitExpression') expr = expr.argument as Node;
  if (expr.type !== 'CallExpression') return undefined;
  const callee = expr.callee as Node;
  if (callee.type !== 'MemberExpression') return undefined;
  const method = (callee.property as Node).name;
  const args = expr.arguments as Node[];
  if (method === 'goto' && args[0]?.type === 'StringLiteral') return { kind: 'goto', url: args[0].value as string, literal: args[0] };
  if (method !== 'click') return undefined;
  const target = callee.object as Node;
  if (target.type !== 'CallExpression') return undefined;
  const locator = target.callee as Node;
  const targs = target.arguments as Node[];
  if (locator.type !== 'MemberExpression' || (locator.property as Node).name !== 'getByRole' || targs[0]?.type !== 'StringLiteral' || targs[0].value !== 'link') return undefined;
  const options = targs[1];
  const nameProp = options?.type === 'ObjectExpression' ? (options.properties as Node[]).find((p) => ((p.key as Node)?.name ?? (p.key as Node)?.value) === 'name') : undefined;
  const value = nameProp?.value as Node | undefined;
  return { kind: 'link', name: value?.type === 'StringLiteral' ? (value.value as string) : 'link' };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function relative(url: string, origin: string | undefined): string {
  if (origin && url.startsWith(origin)) return url.slice(origin.length) || '/';
  return url;
}

/** The statement's source, with `goto` on the origin made relative and `const x = ...` turned into `x = ...`. */
function rewrite(source: string, st: Node, origin: string | undefined, declared: string[]): string {
  const nav = navigation(st);
  if (nav?.kind === 'goto' && origin && nav.url.startsWith(origin)) {
    const { start, end } = nav.literal;
    return `${source.slice(st.start, start)}${JSON.stringify(relative(nav.url, origin)).replace(/^"|"$/g, "'")}${source.slice(end, st.end)}`;
  }
  const text = source.slice(st.start, st.end);
  if (st.type === 'VariableDeclaration') {
    const decls = st.declarations as Node[];
    if (decls.every((d) => (d.id as Node).type === 'Identifier' && d.init)) {
      return decls
        .map((d) => {
          const name = (d.id as Node).name as string;
          if (!declared.includes(name)) declared.push(name);
          const init = d.init as Node;
          return `${name} = ${source.slice(init.start, init.end)};`;
        })
        .join('\n');
    }
  }
  return text;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'extra') continue;
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child === 'object' && typeof (child as Node).type === 'string') walk(child as Node, visit);
    } else if (value && typeof value === 'object' && typeof (value as Node).type === 'string') {
      walk(value as Node, visit);
    }
  }
}
