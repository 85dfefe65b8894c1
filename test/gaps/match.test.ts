/**
 * URLs → operations on the fixtures and on GitHub's REST description, and the grouping of what matches
 * nothing into templates.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { OperationMatcher, splitPath, UndocumentedRoutes } from '../../src/gaps/match.js';
import { loadOpenApi } from '../../src/gaps/openapi.js';

const FIX = 'test/fixtures/gaps';
const githubFile = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

describe('OperationMatcher on the fixtures', () => {
  let shop: OperationMatcher;
  beforeAll(async () => {
    shop = new OperationMatcher(await loadOpenApi(`${FIX}/multi/openapi.yaml`));
  });
  const id = (method: string, url: string) => shop.match(method, url)?.operationId;

  it('finds the operation under every server base path, with query, fragment, trailing slash or host', () => {
    expect(id('GET', '/api/v2/products/123?fields=id,name')).toBe('getProduct');
    expect(id('GET', '/api/v1/products/123')).toBe('getProduct');
    expect(id('get', 'https://eu.shop.example/api/v2/products/7/#top')).toBe('getProduct');
    expect(id('GET', '/api/v2/products/7/')).toBe('getProduct');
    // Without the base path it is not this API's route.
    expect(id('GET', '/products/123')).toBeUndefined();
    expect(id('GET', '/api/v3/products/123')).toBeUndefined();
  });

  it('lets the literal segment win over a template, and the method decide', () => {
    expect(id('GET', '/api/v2/users/me')).toBe('getMe');
    expect(id('GET', '/api/v2/users/17')).toBe('getUser');
    // No DELETE on /users/me: the template that has one takes it.
    expect(id('DELETE', '/api/v2/users/17')).toBe('deleteUser');
    expect(id('POST', '/api/v2/users/17')).toBeUndefined();
  });

  it('checks path parameters against their schemas: type, bounds, format, pattern, enum', () => {
    expect(id('GET', '/api/v2/products/abc')).toBeUndefined();
    expect(id('GET', '/api/v2/products/1.5')).toBeUndefined();
    expect(id('GET', '/api/v2/users/0')).toBeUndefined(); // minimum: 1
    expect(id('GET', '/api/v2/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe('getOrder');
    expect(id('GET', '/api/v2/orders/ABC-42')).toBe('getOrderByCode');
    expect(id('GET', '/api/v2/orders/abc-42')).toBeUndefined();
    expect(id('GET', '/api/v2/files/report.csv')).toBe('getFile');
    expect(id('GET', '/api/v2/files/report.pdf')).toBeUndefined();
    // Percent-encoding is decoded before the check.
    expect(id('GET', '/api/v2/orders/ABC%2D42')).toBe('getOrderByCode');
  });

  it('falls back from HEAD to GET, but prefers a documented HEAD', async () => {
    expect(id('HEAD', '/api/v2/products/5')).toBe('getProduct');
    const pets = new OperationMatcher(await loadOpenApi(`${FIX}/v31.json`));
    expect(pets.match('HEAD', '/v1/pets')?.operationId).toBe('countPets');
    expect(pets.match('GET', '/v1/pets')?.operationId).toBe('listPets');
    expect(pets.match('GET', '/v1/pets/p12')?.operationId).toBe('showPet');
    expect(pets.match('GET', '/v1/pets/12')).toBeUndefined();
  });

  it('uses Swagger 2.0 basePath, and base paths given instead', async () => {
    const api = await loadOpenApi(`${FIX}/swagger2.yaml`);
    expect(new OperationMatcher(api).match('GET', '/api/items/7')?.operationId).toBe('getItem');
    const behindProxy = new OperationMatcher(api, { basePaths: [''] });
    expect(behindProxy.match('GET', '/items/7')?.operationId).toBe('getItem');
    expect(behindProxy.match('POST', '/items')?.operationId).toBe('createItem');
  });
});

describe("OperationMatcher on GitHub's REST API", () => {
  let gh: OperationMatcher;
  beforeAll(async () => {
    gh = new OperationMatcher(await loadOpenApi(githubFile));
  }, 120_000);
  const key = (method: string, url: string) => gh.match(method, url)?.key;

  it('matches real GitHub URLs', () => {
    expect(key('GET', '/repos/octocat/hello-world/issues/42')).toBe('GET /repos/{owner}/{repo}/issues/{issue_number}');
    expect(key('GET', '/user')).toBe('GET /user');
    expect(key('GET', '/users/octocat')).toBe('GET /users/{username}');
    expect(key('GET', 'https://api.github.com/repos/octocat/hello-world/pulls?state=open&per_page=100')).toBe('GET /repos/{owner}/{repo}/pulls');
    expect(key('POST', '/repos/octocat/hello-world/issues/42/comments')).toBe('POST /repos/{owner}/{repo}/issues/{issue_number}/comments');
    expect(key('GET', '/repos/octocat/hello-world/commits/7fd1a60b01f91b314f59955a4e4d4e80d8edf11d')).toBe('GET /repos/{owner}/{repo}/commits/{ref}');
    expect(key('GET', '/orgs/github/members')).toBe('GET /orgs/{org}/members');
    expect(key('HEAD', '/repos/octocat/hello-world')).toBe('GET /repos/{owner}/{repo}');
    // The literal wins: /user/repos is not /users/{username}/...; /repos/{o}/{r}/issues/comments is a literal.
    expect(key('GET', '/user/repos')).toBe('GET /user/repos');
    expect(key('GET', '/repos/octocat/hello-world/issues/comments')).toBe('GET /repos/{owner}/{repo}/issues/comments');
    // `{path}` is x-multi-segment in GitHub's description.
    expect(key('GET', '/repos/octocat/hello-world/contents/src/lib/index.ts')).toBe('GET /repos/{owner}/{repo}/contents/{path}');
  });

  it('refuses what GitHub does not document', () => {
    expect(key('GET', '/repos/octocat/hello-world/issues/not-a-number')).toBeUndefined();
    expect(key('GET', '/internal/metrics')).toBeUndefined();
    expect(key('PUT', '/user')).toBeUndefined();
  });
});

describe('splitPath', () => {
  it('takes paths and absolute URLs, and refuses anything else', () => {
    expect(splitPath('/a/b?x=1')).toEqual(['a', 'b']);
    expect(splitPath('/')).toEqual([]);
    expect(splitPath('http://h:8080')).toEqual([]);
    expect(splitPath('http://h:8080/x/')).toEqual(['x']);
    expect(splitPath('*')).toBeUndefined();
    expect(splitPath('')).toBeUndefined();
  });
});

describe('UndocumentedRoutes', () => {
  it('groups variable segments into templates, most requested first', () => {
    const u = new UndocumentedRoutes();
    u.add('GET', '/internal/jobs/123/logs?tail=1', 200);
    u.add('GET', '/internal/jobs/98765/logs', 500);
    u.add('GET', '/internal/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301', 200);
    u.add('GET', '/builds/7fd1a60/status', 200);
    u.add('GET', '/t/AbCdEf0123456789xyz', 404);
    u.add('POST', '/internal/jobs/5/logs', 201);
    u.add('GET', '/internal/jobs/about', 200);
    expect(u.list()).toEqual([
      { method: 'GET', template: '/internal/jobs/{id}/logs', count: 2, example: '/internal/jobs/123/logs', statuses: { '2xx': 1, '5xx': 1 } },
      { method: 'GET', template: '/builds/{id}/status', count: 1, example: '/builds/7fd1a60/status', statuses: { '2xx': 1 } },
      { method: 'GET', template: '/internal/jobs/about', count: 1, example: '/internal/jobs/about', statuses: { '2xx': 1 } },
      { method: 'POST', template: '/internal/jobs/{id}/logs', count: 1, example: '/internal/jobs/5/logs', statuses: { '2xx': 1 } },
      { method: 'GET', template: '/internal/sessions/{id}', count: 1, example: '/internal/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301', statuses: { '2xx': 1 } },
      { method: 'GET', template: '/t/{id}', count: 1, example: '/t/AbCdEf0123456789xyz', statuses: { '4xx': 1 } },
    ]);
    expect(u.total).toBe(7);
  });

  it('keeps at most maxRoutes templates and counts the rest under other', () => {
    const u = new UndocumentedRoutes(3);
    for (let i = 0; i < 1000; i++) u.add('GET', `/area${i % 50}/items/${i}`, 200);
    const list = u.list();
    expect(list).toHaveLength(4);
    expect(list[3]).toMatchObject({ template: 'other', count: 1000 - 3 * 20 });
    expect(list.slice(0, 3).map((r) => r.count)).toEqual([20, 20, 20]);
    expect(u.total).toBe(1000);
  });
});
