/** Bad input to `observer gaps` (a missing file, no API description, no logs): exit 2 with this message. */
export class GapsInputError extends Error {
  readonly code = 'ERR_GAPS_INPUT';
}
