/**
 * The text of a `JSON.parse` error without the input it quotes: V8 writes up to 10 characters of
 * the parsed text into the message (`Unexpected token 'S', "S3cr3tTok9f" is not valid JSON`), and
 * that text may be a response body or a file holding secrets. What is left names the problem and,
 * where V8 gives one, the position.
 */
export function jsonParseErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0] ?? '';
  const quoted = /^(.*?), ".*is not valid JSON$/s.exec(first);
  if (quoted) return `${quoted[1]} in JSON`;
  return first;
}
