/**
 * The API check runner: undici with timing phases, deadlines, classification, assertions as data
 * and JSON Schema validation. See runner.ts for the entry point.
 */
export { ApiCheckRunner, type ApiCheckRunnerOptions, type ApiCheckContext } from './runner.js';
export { validateAssertion, checkAssertion, ASSERTION_OPS, ASSERTION_SOURCES, JSON_TYPES, type ResponseView } from './assertions.js';
export { compileJsonPath, parseJsonPath, evaluateJsonPath, JsonPathSyntaxError, type JsonPath, type PathMatch, type PathSegment } from './jsonpath.js';
export { SchemaCache, SchemaCompileError, sharedSchemaCache, pointerToPath, type SchemaVerdict } from './schema.js';
export { CheckError, CheckTimeoutError, BodyTooLargeError, CheckAbortedError, NetworkError, classifyTransportError, type ExchangePhase } from './errors.js';
export { statusMessage } from './verdict.js';
