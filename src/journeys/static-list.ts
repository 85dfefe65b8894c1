/**
 * Discovery without a process: `playwright test --list` costs a whole Node + Playwright start-up
 * (about 2.5 s of a 7 s single-journey run on the 2-core machine) before the run's own Playwright
 * process starts. Most journey files are flat: imports from `production-observer/journey` or
 * `@playwright/test` and top-level `test('literal title', [journey({...literals})], fn)` calls.
 * (Top-level function declarations and `const x = <literals, names, process.env reads, operators>`
 * are allowed: they declare no test.) For those the list is known from the source (the Babel parser Playwright itself loads files
 * with), and equals what `--list` reports. Anything else (another import that could declare tests
 * when loaded, `describe`, hooks, `test.use`, `only`/`skip` modifiers, a computed title or setting,
 * a tag in a title, duplicate titles, a parse error) yields `undefined`, and the caller lists
 * through Playwright as before, which also reports the file's errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ListedTest } from './protocol.js';
import { SETTINGS_ANNOTATION } from './settings.js';
import { loadParser, releaseParser, type Node } from './static-steps.js';

const TEST_MODULES = new Set(['production-observer/journey', '@playwright/test']);
/** Statements that do nothing at run time. */
const INERT = new Set(['EmptyStatement', 'TSInterfaceDeclaration', 'TSTypeAliasDeclaration']);
const NOT_LITERAL = Symbol('not a literal');

/** The tests of every file, in the given order, or undefined when any file needs Playwright to list it. */
export function listStatically(files: string[]): ListedTest[] | undefined {
  const out: ListedTest[] = [];
  // Playwright lists files in path order, folder by folder (`plain/` before `plain-failing/`).
  const segments = (f: string): string[] => path.resolve(f).split(path.sep);
  const byPath = (a: string, b: string): number => {
    const [x, y] = [segments(a), segments(b)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  };
  try {
    for (const file of [...files].sort(byPath)) {
      const tests = listFile(file);
      if (!tests) return undefined;
      out.push(...tests);
    }
    return out;
  } finally {
    releaseParser();
  }
}

function listFile(file: string): ListedTest[] | undefined {
  const parse = loadParser();
  if (!parse) return undefined;
  let root: Node;
  try {
    root = parse(readFileSync(file, 'utf8'), file, true);
  } catch {
    return undefined;
  }
  const program = (root.type === 'File' ? root.program : root) as Node;
  if (program?.type !== 'Program') return undefined;
  let testName: string | undefined;
  let journeyName: string | undefined;
  const tests: ListedTest[] = [];
  const titles = new Set<string>();
  for (const stmt of program.body as Node[]) {
    if (INERT.has(stmt.type)) continue;
    if (stmt.type === 'ImportDeclaration') {
      if (stmt.importKind === 'type') continue;
      const source = (stmt.source as Node).value as string;
      if (!TEST_MODULES.has(source)) return undefined;
      for (const spec of stmt.specifiers as Node[]) {
        if (spec.type !== 'ImportSpecifier' || spec.importKind === 'type') continue;
        const imported = spec.imported as Node;
        const name = (imported.name ?? imported.value) as string;
        const local = (spec.local as Node).name as string;
        if (name === 'test') testName = local;
        if (name === 'journey' && source === 'production-observer/journey') journeyName = local;
      }
      continue;
    }
    if (stmt.type === 'FunctionDeclaration') continue; // hoisted, runs only when called
    if (stmt.type === 'VariableDeclaration') {
      if (!(stmt.declarations as Node[]).every((d) => !d.init || pure(d.init as Node))) return undefined;
      continue;
    }
    if (stmt.type !== 'ExpressionStatement') return undefined;
    const call = stmt.expression as Node;
    if (call.type !== 'CallExpression' || !testName) return undefined;
    const callee = call.callee as Node;
    if (callee.type !== 'Identifier' || callee.name !== testName) return undefined;
    const args = call.arguments as Node[];
    if (args.length < 2 || args.length > 3) return undefined;
    const title = literalString(args[0]);
    const fn = args[args.length - 1];
    if (!title || title.includes('@') || titles.has(title)) return undefined;
    if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return undefined;
    titles.add(title);
    const listed: ListedTest = { file: path.resolve(file), titlePath: [title], line: (call.loc as { start: { line: number } }).start.line, tags: [], annotations: [] };
    if (args.length === 3) {
      const details = args[1];
      if (details.type !== 'CallExpression' || !journeyName) return undefined;
      const dCallee = details.callee as Node;
      const dArgs = details.arguments as Node[];
      if (dCallee.type !== 'Identifier' || dCallee.name !== journeyName || dArgs.length !== 1 || dArgs[0].type !== 'ObjectExpression') return undefined;
      const settings = literal(dArgs[0]);
      if (settings === NOT_LITERAL) return undefined;
      // What journey() does at run time (settings.ts).
      const tags = (settings as { tags?: unknown }).tags;
      if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) return undefined;
      listed.tags = ((tags as string[] | undefined) ?? []).map((t) => (t.startsWith('@') ? t : `@${t}`));
      listed.annotations = [{ type: SETTINGS_ANNOTATION, description: JSON.stringify(settings) }];
    }
    tests.push(listed);
  }
  return tests;
}

/** An expression that cannot throw or declare a test when evaluated: literals, `process.env` reads, operators (`process.env.USER ?? 'demo'`). */
function pure(node: Node): boolean {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      return true;
    case 'Identifier':
      return node.name === 'undefined'; // another name may not exist yet (a ReferenceError when loaded)
    case 'TemplateLiteral':
      return (node.expressions as Node[]).every(pure);
    case 'MemberExpression': {
      // Only `process.env.NAME` / `process.env['NAME']`: a read that cannot throw.
      const obj = node.object as Node;
      const isEnv = obj.type === 'MemberExpression' && !obj.computed && (obj.object as Node).type === 'Identifier' && (obj.object as Node).name === 'process' && (obj.property as Node).name === 'env';
      return isEnv && (!node.computed || (node.property as Node).type === 'StringLiteral');
    }
    case 'LogicalExpression':
    case 'BinaryExpression':
      return pure(node.left as Node) && pure(node.right as Node);
    case 'UnaryExpression':
      return node.operator !== 'delete' && pure(node.argument as Node);
    case 'ConditionalExpression':
      return pure(node.test as Node) && pure(node.consequent as Node) && pure(node.alternate as Node);
    case 'ArrayExpression':
      return (node.elements as Array<Node | null>).every((e) => e !== null && pure(e));
    case 'ObjectExpression':
      return (node.properties as Node[]).every((p) => p.type === 'ObjectProperty' && !p.computed && pure(p.value as Node));
    default:
      return false;
  }
}

function literalString(node: Node | undefined): string | undefined {
  const value = node ? literal(node) : NOT_LITERAL;
  return typeof value === 'string' ? value : undefined;
}

/** The value of a JSON-like literal expression, or NOT_LITERAL. */
function literal(node: Node): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'TemplateLiteral': {
      if ((node.expressions as Node[]).length !== 0) return NOT_LITERAL;
      const cooked = ((node.quasis as Node[])[0]?.value as { cooked?: string } | undefined)?.cooked;
      return typeof cooked === 'string' ? cooked : NOT_LITERAL;
    }
    case 'UnaryExpression': {
      const arg = node.argument as Node;
      return node.operator === '-' && arg.type === 'NumericLiteral' ? -(arg.value as number) : NOT_LITERAL;
    }
    case 'ArrayExpression': {
      const out: unknown[] = [];
      for (const el of node.elements as Array<Node | null>) {
        if (!el) return NOT_LITERAL;
        const v = literal(el);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const prop of node.properties as Node[]) {
        if (prop.type !== 'ObjectProperty' || prop.computed || prop.shorthand) return NOT_LITERAL;
        const key = prop.key as Node;
        const name = key.type === 'Identifier' ? (key.name as string) : key.type === 'StringLiteral' ? (key.value as string) : undefined;
        if (name === undefined || name === '__proto__' || Object.hasOwn(out, name)) return NOT_LITERAL;
        const v = literal(prop.value as Node);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out[name] = v;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}
