/**
 * PLACEHOLDER until wip/gapsA lands: the loader's types only (their file replaces this one on merge).
 */
export interface ApiParameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required: boolean; schema?: unknown; example?: unknown; examples?: unknown[] }
export interface ApiResponse { status: string; schema?: unknown; contentTypes: string[] }
export interface ApiOperation { key: string; method: string; path: string; fullPath: string; operationId?: string; summary?: string; tags: string[]; parameters: ApiParameter[]; responses: ApiResponse[]; deprecated: boolean }
export interface ApiDescription { file: string; title: string; version: string; openapi: string; basePaths: string[]; operations: ApiOperation[] }
export class OpenApiError extends Error {}
export function loadOpenApi(file: string): Promise<ApiDescription> {
  return Promise.reject(new OpenApiError(`${file}: the OpenAPI loader lands with wip/gapsA`));
}
