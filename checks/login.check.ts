// Sign-in with the demo account. The password comes from the environment and is redacted from
// every report, log and alert: `npm run demo` exports DEMO_PASSWORD=demo-password-123; for your
// own runs set it yourself (a missing variable is a config error naming it).
import { defineCheck } from 'production-observer';

export default defineCheck({
  id: 'login',
  name: 'Sign in',
  request: {
    method: 'POST',
    url: '/api/login',
    body: { username: 'demo', password: '${env:DEMO_PASSWORD}' },
  },
  expect: {
    status: 200,
    headers: { 'set-cookie': { op: 'exists' } },
    body: [
      { path: '$.token', op: 'isType', value: 'string' },
      { path: '$.user.username', op: 'eq', value: 'demo' },
    ],
    maxResponseTimeMs: 2_000,
  },
  tags: ['shop', 'auth'],
});
