export { loadOpenApi, OpenApiError, formatPointer, HTTP_METHODS, type ApiDescription, type ApiOperation, type ApiParameter, type ApiResponse, type OpenApiProblem, type ParameterLocation, type LoadOptions } from './openapi.js';
export { OperationMatcher, UndocumentedRoutes, splitPath, type MatcherOptions, type UndocumentedRoute } from './match.js';
export { runGaps, type GapsOptions, type GapsOutcome } from './run.js';
export { analyzeGaps, type GapsReport, type GapsOperation, type InadequateTest, type NewScenario } from './analyze.js';
export { collectCoverage, COVERAGE_LEVELS, COVERAGE_VALUE, type CoverageLevel, type CoverageData } from './coverage.js';
export { readUsage, type UsageData, type RouteUsage, type LogInput, type OperationLookup } from './usage.js';
export { generateChecks, type GenerateOutcome } from './generate.js';
export { GapsInputError } from './errors.js';
export type { GapsConfig, GapsLogInput } from './config.js';
