/**
 * Top-level `test.step` titles of a journey, read from its source without running it, so a run
 * that fails at step 2 can still list steps 3..n as `skipped`. Uses the Babel parser Playwright
 * ships (`playwright/lib/transform/babelBundle`, the same one that loads journeys); only string
 * literal titles are known statically. Any parser problem yields "unknown" (an empty list), never
 * an error: this is a reporting nicety, not a requirement to run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Node {
  type: string;
  [key: string]: unknown;
}

type BabelParse = (code: string, filename: string, isModule: boolean) => Node;

let parser: BabelParse | null | undefined;

export function loadParser(): BabelParse | null {
  if (parser !== undefined) return parser;
  try {
    const require = createRequire(import.meta.url);
    const bundle = require('playwright/lib/transform/babelBundle') as { babelParse?: BabelParse };
    parser = typeof bundle.babelParse === 'function' ? bundle.babelParse : null;
  } catch {
    parser = null;
  }
  return parser;
}

/**
 * Let the collector have the parser (about 35 MiB once used) back: discovery uses it once per run,
 * before the journeys' browsers start; a later use loads it again.
 */
export function releaseParser(): void {
  parser = undefined;
  try {
    const require = createRequire(import.meta.url);
    delete require.cache[require.resolve('playwright/lib/transform/babelBundle')];
  } catch {
    // not loaded through this require: nothing cached to drop
  }
}

/** Map from test title to its top-level step titles in source order, for every test in the file. */
export function staticStepTitles(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const parse = loadParser();
  if (!parse) return out;
  let ast: Node;
  try {
    ast = parse(readFileSync(file, 'utf8'), file, true);
  } catch {
    return out;
  }
  visit(ast, (node) => {
    const title = testCallTitle(node);
    if (title === undefined) return false;
    const body = lastFunctionArg(node);
    if (!body) return false;
    if (!out.has(title)) out.set(title, topLevelSteps(body));
    return true;
  });
  return out;
}

/** `test('title', [details,] fn)` and its focused/skipped variants (`test.<modifier>(...)`); not `test.step`, `test.describe`, hooks. */
function testCallTitle(node: Node): string | undefined {
  if (node.type !== 'CallExpression') return undefined;
  const callee = node.callee as Node;
  const name = calleeName(callee);
  if (!name || !/^(test|it)(\.(only|fixme|fail|slow))?$/.test(name)) return undefined;
  return literalString((node.arguments as Node[])[0]);
}

function calleeName(callee: Node): string | undefined {
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression' && !callee.computed) {
    const object = calleeName(callee.object as Node);
    const property = (callee.property as Node).name as string | undefined;
    return object && property ? `${object}.${property}` : undefined;
  }
  return undefined;
}

function literalString(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'StringLiteral') return node.value as string;
  if (node.type === 'TemplateLiteral' && (node.expressions as Node[]).length === 0) {
    const quasi = (node.quasis as Node[])[0];
    return (quasi?.value as { cooked?: string } | undefined)?.cooked;
  }
  return undefined;
}

function lastFunctionArg(call: Node): Node | undefined {
  const args = call.arguments as Node[];
  const last = args[args.length - 1];
  return last && (last.type === 'ArrowFunctionExpression' || last.type === 'FunctionExpression') ? last : undefined;
}

function isStepCall(node: Node): boolean {
  if (node.type !== 'CallExpression') return false;
  const callee = node.callee as Node;
  return callee.type === 'MemberExpression' && !callee.computed && (callee.property as Node).name === 'step';
}

/** Step calls not nested inside another step's body, in source order. */
function topLevelSteps(fn: Node): string[] {
  const titles: string[] = [];
  visit(fn.body as Node, (node) => {
    if (!isStepCall(node)) return false;
    const title = literalString((node.arguments as Node[])[0]);
    if (title !== undefined) titles.push(title);
    return true; // do not descend: nested steps are not top-level
  });
  return titles;
}

/** Depth-first walk in source order; `enter` returning true skips the node's children. */
function visit(node: Node, enter: (node: Node) => boolean): void {
  if (enter(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'extra') continue;
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) visit(child, enter);
    } else if (isNode(value)) {
      visit(value, enter);
    }
  }
}

function isNode(value: unknown): value is Node {
  return !!value && typeof value === 'object' && typeof (value as Node).type === 'string';
}
