export { loadOpenApi, OpenApiError, formatPointer, HTTP_METHODS, type ApiDescription, type ApiOperation, type ApiParameter, type ApiResponse, type OpenApiProblem, type ParameterLocation, type LoadOptions } from './openapi.js';
export { OperationMatcher, UndocumentedRoutes, splitPath, type MatcherOptions, type UndocumentedRoute } from './match.js';
