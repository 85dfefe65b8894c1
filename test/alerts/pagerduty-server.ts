/**
 * A real HTTP server on 127.0.0.1:0 that answers like PagerDuty's Events API v2 (`POST
 * /v2/enqueue`): it checks an event as PagerDuty documents it (a 32-character routing key, a known
 * event_action, a payload with summary, source and severity on trigger) and answers 202 with the
 * dedup key, or 400 `invalid event` with its errors. It keeps incidents per routing key and dedup
 * key the way PagerDuty does: a trigger opens one (or adds to the open one), a resolve closes it.
 * `script` forces the next answers (429, 500, 400) whatever the event.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface PdEvent {
  routing_key?: string;
  event_action?: string;
  dedup_key?: string;
  payload?: { summary?: string; source?: string; severity?: string; component?: string; group?: string; class?: string; timestamp?: string; custom_details?: Record<string, unknown> };
  links?: Array<{ href: string; text: string }>;
  images?: unknown[];
  client?: string;
  client_url?: string;
}

export interface PdRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: PdEvent;
  status: number;
}

export interface PdIncident {
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Triggers received for it (the first opens it, later ones add to its log). */
  triggers: number;
  summary: string;
  severity: string;
}

export interface FakePagerDuty {
  url: string;
  requests: PdRequest[];
  incidents: PdIncident[];
  /** Answers to force, first in first out: a status, or a status with a body. */
  script: Array<number | { status: number; body: unknown }>;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

function check(e: PdEvent): string[] {
  const errors: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action ?? '')) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (e.event_action !== 'trigger' && !e.dedup_key) errors.push("'dedup_key' is missing or blank");
  if (e.event_action === 'trigger') {
    if (!e.payload) errors.push("'payload' is missing or blank");
    else {
      if (!e.payload.summary) errors.push("'payload.summary' is missing or blank");
      if (!e.payload.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(e.payload.severity ?? '')) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
      if ((e.payload.summary ?? '').length > 1024) errors.push("'payload.summary' is too long");
    }
  }
  return errors;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const sockets = new Set<Socket>();
  const requests: PdRequest[] = [];
  const incidents: PdIncident[] = [];
  const script: FakePagerDuty['script'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: PdEvent = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PdEvent;
      } catch {
        body = {};
      }
      const answer = (status: number, payload: unknown) => {
        requests.push({ path: req.url ?? '', headers: req.headers, body, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') return answer(404, { status: 'not found' });
      const forced = script.shift();
      if (forced !== undefined) {
        const status = typeof forced === 'number' ? forced : forced.status;
        const payload = typeof forced === 'number' ? (status === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' } : { status: 'error' }) : forced.body;
        return answer(status, payload);
      }
      const errors = check(body);
      if (errors.length) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      const dedupKey = body.dedup_key ?? `pd-${requests.length}`;
      const open = incidents.find((i) => i.routingKey === body.routing_key && i.dedupKey === dedupKey && i.status !== 'resolved');
      if (body.event_action === 'trigger') {
        if (open) open.triggers++;
        else incidents.push({ routingKey: body.routing_key!, dedupKey, status: 'triggered', triggers: 1, summary: body.payload!.summary!, severity: body.payload!.severity! });
      } else if (body.event_action === 'resolve' && open) {
        open.status = 'resolved';
      } else if (body.event_action === 'acknowledge' && open) {
        open.status = 'acknowledged';
      }
      answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    requests,
    incidents,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
