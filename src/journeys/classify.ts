/**
 * Turn a Playwright error into the results model's failure classes, and into the one line a person
 * reads. Classification looks at the stable parts of Playwright's messages (timeout banners, the
 * `net::ERR_*` codes of Chromium, the crash and closed-target messages).
 */
import type { ErrorClass } from '../model/results.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const MAX_MESSAGE = 600;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Chromium network error codes that map onto the network classes. */
const NET_ERRORS: Array<[RegExp, ErrorClass]> = [
  [/net::ERR_NAME_NOT_RESOLVED|net::ERR_NAME_RESOLUTION_FAILED/, 'dns'],
  [/net::ERR_CONNECTION_REFUSED/, 'connection_refused'],
  [/net::ERR_CONNECTION_RESET|net::ERR_CONNECTION_CLOSED|net::ERR_EMPTY_RESPONSE/, 'connection_reset'],
  [/net::ERR_CERT_|net::ERR_SSL_/, 'tls'],
  [/net::ERR_TIMED_OUT|net::ERR_CONNECTION_TIMED_OUT/, 'timeout'],
];

export function classifyJourneyError(message: string): ErrorClass {
  const m = stripAnsi(message);
  if (/Target crashed|Page crashed|page has crashed|Browser closed|browser has disconnected|Target page, context or browser has been closed/i.test(m)) {
    return 'browser_crash';
  }
  if (/Worker process exited unexpectedly|worker process exited/i.test(m)) return 'journey_error';
  if (/^(?:\w+Error: )?(?:Test|Step) timeout of \d+ms exceeded/m.test(m) || /: Test timeout of \d+ms exceeded/.test(m)) return 'timeout';
  for (const [re, cls] of NET_ERRORS) if (re.test(m)) return cls;
  if (/(page|frame)\.(goto|reload|goBack|goForward|waitForURL|waitForNavigation)\b/.test(m)) {
    return /Timeout \d+ms exceeded/.test(m) ? 'timeout' : 'navigation';
  }
  if (/net::ERR_/.test(m)) return 'navigation';
  if (/expect\(|toHave|toBe|toContain|toMatch|locator\.|getBy|waiting for locator|strict mode violation/.test(m)) return 'element';
  return 'journey_error';
}

/**
 * One actionable line from a multi-line Playwright message: the headline plus the `Locator:`,
 * `Expected:`, `Received:`, `Error:` lines, without the call log and the source excerpt.
 */
export function summarizeError(message: string): string {
  const lines = stripAnsi(message)
    .split('\n')
    .map((l) => l.trim());
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (/^Call log:/.test(line)) {
      // The first call-log entry names what was awaited: `waiting for getByRole('button', ...)`.
      const waiting = lines.slice(i + 1).find((l) => /^- waiting for /.test(l));
      if (waiting) out.push(waiting.slice(2));
      break;
    }
    if (/^\d+ \|/.test(line) || /^>\s*\d+ \|/.test(line)) break;
    if (!line || line.startsWith('at ')) continue;
    out.push(line.replace(/^(?:Error|TimeoutError): (?=\S)/, ''));
  }
  const text = out.join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
