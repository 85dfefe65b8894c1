/**
 * Secrets out of a Playwright trace (`trace.zip`), applied to the copy in the reports folder before
 * anything reads it. Redacted, in every text entry of the zip (the action log `*.trace` with action
 * parameters and console messages, `*.network` with request/response headers and bodies, and the
 * text `resources/` those reference): every secret the Redactor knows (`${env:NAME}` values,
 * credentials), and every value typed with `fill`, `type`, `pressSequentially` or
 * `keyboard.type`/`insertText` that is, or contains, the value of an environment variable of the
 * journey's process (how a spec reads a password: `process.env.PASSWORD`). Each is replaced in its
 * raw, URL-encoded, base64 and JSON-escaped forms by `[REDACTED]`, which needs no escaping: the JSON
 * lines stay valid and the trace still opens in `npx playwright show-trace`. Images and fonts are
 * left as they are (a typed secret in a visible text field can still show in a screenshot frame).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { Redactor } from '../runtime/redact.js';

/** Protocol methods whose parameters carry typed text, and the parameter that does. */
const TYPING_METHODS: Record<string, string> = {
  fill: 'value',
  type: 'text',
  pressSequentially: 'text',
  keyboardType: 'text',
  keyboardInsertText: 'text',
  insertText: 'text',
};

/** Environment values shorter than this are not treated as secrets when typed (`demo`, `1`, `true`). */
const MIN_ENV_SECRET = 6;

const BINARY = /\.(png|jpe?g|webp|gif|avif|ico|woff2?|ttf|otf|wasm)$/i;

/** Typed values in the action log that are (or contain) an environment variable's value. */
export function typedEnvSecrets(traceLines: string, env: NodeJS.ProcessEnv): string[] {
  const envValues = Object.values(env).filter((v): v is string => typeof v === 'string' && v.length >= MIN_ENV_SECRET);
  const found = new Set<string>();
  for (const line of traceLines.split('\n')) {
    if (!line.includes('"before"')) continue;
    let event: { type?: string; method?: string; params?: Record<string, unknown> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    const key = event.type === 'before' && event.method ? TYPING_METHODS[event.method] : undefined;
    const typed = key ? event.params?.[key] : undefined;
    if (typeof typed !== 'string' || typed.length < MIN_ENV_SECRET) continue;
    for (const v of envValues) if (typed.includes(v)) found.add(v);
  }
  return [...found];
}

function text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Redact the trace at `file` in place. Returns how many entries changed. Throws when the file is not
 * a readable zip: the caller must then not keep it.
 */
export function redactTrace(file: string, redactor: Redactor, env: NodeJS.ProcessEnv): number {
  const entries = unzipSync(new Uint8Array(readFileSync(file)));
  const actionLogs = Object.entries(entries)
    .filter(([name]) => name.endsWith('.trace'))
    .map(([, bytes]) => strFromU8(bytes))
    .join('\n');
  const typed = new Redactor();
  for (const secret of typedEnvSecrets(actionLogs, env)) {
    typed.add(secret);
    typed.add(JSON.stringify(secret).slice(1, -1));
  }
  let changed = 0;
  const out: Zippable = {};
  for (const [name, bytes] of Object.entries(entries)) {
    const content = BINARY.test(name) ? undefined : text(bytes);
    if (content === undefined) {
      out[name] = [bytes, { level: 0 }];
      continue;
    }
    const redacted = typed.redact(redactor.redact(content));
    if (redacted !== content) changed++;
    out[name] = redacted === content ? bytes : strToU8(redacted);
  }
  if (changed === 0) return 0;
  const tmp = `${file}.redacting`;
  writeFileSync(tmp, zipSync(out, { level: 6 }));
  renameSync(tmp, file);
  return changed;
}
