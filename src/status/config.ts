/**
 * `statusPage` in observer.config.ts: which monitors the status page shows, in which groups, with
 * which uptime targets, maintenance windows and posted incidents. The JSON Schema is strict
 * (unknown keys rejected); `resolveStatusPage` applies the defaults in one place and checks what a
 * schema cannot (unique ids, windows that end after they start, references to known groups).
 */
import type { SchemaObject } from 'ajv';
import { HINT } from '../config/ajv-errors.js';

export const INCIDENT_UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentUpdateStatus = (typeof INCIDENT_UPDATE_STATUSES)[number];

/** One group of monitors on the page (a "component" in Statuspage's words). */
export interface StatusGroupInput {
  /** Badge and link id; default the name as a slug. Must not be a monitor id. */
  id?: string;
  name: string;
  /** Uptime target in percent for the group and its monitors (e.g. 99.9); default `statusPage.slo`. */
  slo?: number;
  /** Monitor ids (checks and journeys), in the order shown. */
  monitors: string[];
}

/** A planned window: results inside it do not count toward uptime, the page says so. */
export interface MaintenanceInput {
  /** ISO 8601 with a time zone (`2026-12-05T02:00:00Z`). */
  start: string;
  end: string;
  /** Monitors and groups it covers; both absent means every monitor on the page. */
  monitors?: string[];
  groups?: string[];
  message?: string;
}

/** An incident written for the people reading the page, with its updates. */
export interface PostedIncidentInput {
  id?: string;
  title: string;
  monitors?: string[];
  groups?: string[];
  /** Oldest first or not: they are sorted by `at`. The newest update's status is the incident's. */
  updates: { at: string; status: IncidentUpdateStatus; message: string }[];
}

export interface StatusPageInput {
  /** Default `Status`. */
  title?: string;
  description?: string;
  /** Default uptime target in percent for every monitor (SLA report, bar colours); none when absent. */
  slo?: number;
  groups: StatusGroupInput[];
  maintenance?: MaintenanceInput[];
  incidents?: PostedIncidentInput[];
  /** List the alert incidents the store recorded for the page's monitors (default true). */
  detectedIncidents?: boolean;
}

export interface ResolvedStatusGroup {
  id: string;
  name: string;
  slo: number | undefined;
  monitors: string[];
}

export interface ResolvedMaintenance {
  startMs: number;
  endMs: number;
  /** Monitor ids covered (groups expanded); every monitor on the page when none were named. */
  monitors: string[];
  /** As written, for the page. */
  groups: string[];
  message: string;
}

export interface ResolvedPostedIncident {
  id: string;
  title: string;
  monitors: string[];
  updates: { atMs: number; status: IncidentUpdateStatus; message: string }[];
}

export interface ResolvedStatusPage {
  title: string;
  description: string | undefined;
  slo: number | undefined;
  groups: ResolvedStatusGroup[];
  /** Every monitor of every group, once, in page order. */
  monitors: string[];
  maintenance: ResolvedMaintenance[];
  incidents: ResolvedPostedIncident[];
  detectedIncidents: boolean;
}

const nonEmpty: SchemaObject = { type: 'string', minLength: 1, [HINT]: 'must be a non-empty string' };
const slug: SchemaObject = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 128, [HINT]: 'must be a slug: lower-case letters, digits, ".", "_" or "-"' };
const instant: SchemaObject = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$',
  [HINT]: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-05T02:00:00Z',
};
const ids: SchemaObject = { type: 'array', items: nonEmpty, uniqueItems: true };
const slo: SchemaObject = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100, [HINT]: 'must be a percentage below 100, e.g. 99.9' };

export const statusPageSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['groups'],
  properties: {
    title: nonEmpty,
    description: { type: 'string' },
    slo,
    detectedIncidents: { type: 'boolean' },
    groups: {
      type: 'array',
      minItems: 1,
      [HINT]: 'must list at least one group: [{ name, monitors: [...] }]',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'monitors'],
        properties: { id: slug, name: nonEmpty, slo, monitors: { ...ids, minItems: 1 } },
      },
    },
    maintenance: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end'],
        properties: { start: instant, end: instant, monitors: ids, groups: ids, message: { type: 'string' } },
      },
    },
    incidents: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'updates'],
        properties: {
          id: slug,
          title: nonEmpty,
          monitors: ids,
          groups: ids,
          updates: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['at', 'status', 'message'],
              properties: { at: instant, status: { enum: [...INCIDENT_UPDATE_STATUSES] }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

export interface StatusPageProblem {
  /** Field path inside the config: `statusPage.groups[1].id`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A group name as an id: `API & Web` → `api-web`. */
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 128) || 'group'
  );
}

/**
 * The schema-valid section → what the page, the badges and the SLA report read. `knownMonitors`
 * (check ids, configured journeys) turns unknown monitor ids into warnings; pass undefined when
 * journeys are discovered at run time and the list cannot be complete.
 */
export function resolveStatusPage(input: StatusPageInput, knownMonitors?: ReadonlySet<string>): { page: ResolvedStatusPage; problems: StatusPageProblem[] } {
  const problems: StatusPageProblem[] = [];
  const err = (path: string, message: string) => problems.push({ path: `statusPage.${path}`, message, severity: 'error' });
  const groups: ResolvedStatusGroup[] = [];
  const groupAt = new Map<string, number>();
  input.groups.forEach((g, i) => {
    const id = g.id ?? slugify(g.name);
    const seen = groupAt.get(id);
    if (seen !== undefined) err(`groups[${i}]${g.id ? '.id' : '.name'}`, `group id "${id}" is also the id of groups[${seen}]; give each group its own "id"`);
    else groupAt.set(id, i);
    groups.push({ id, name: g.name, slo: g.slo ?? input.slo, monitors: [...g.monitors] });
  });
  const monitors = [...new Set(groups.flatMap((g) => g.monitors))];
  for (const m of monitors) {
    const gi = groupAt.get(m);
    if (gi !== undefined) err(`groups[${gi}].id`, `"${m}" is also a monitor id: badges at /badge/${m}/ would be ambiguous; give the group another "id"`);
  }
  if (knownMonitors) {
    input.groups.forEach((g, i) =>
      g.monitors.forEach((m, j) => {
        if (!knownMonitors.has(m)) problems.push({ path: `statusPage.groups[${i}].monitors[${j}]`, message: `no check or journey has the id "${m}" (the page shows it as "no data" until results arrive)`, severity: 'warning' });
      }),
    );
  }
  const covered = (at: string, m: string[] | undefined, g: string[] | undefined): string[] => {
    for (const [j, name] of (g ?? []).entries()) {
      if (!groupAt.has(name)) err(`${at}.groups[${j}]`, `no group has the id "${name}"; expected one of ${[...groupAt.keys()].join(', ')}`);
    }
    for (const [j, id] of (m ?? []).entries()) {
      if (!monitors.includes(id)) err(`${at}.monitors[${j}]`, `"${id}" is not on the page; expected a monitor of a group: ${monitors.join(', ')}`);
    }
    if (!m?.length && !g?.length) return [...monitors];
    return [...new Set([...(m ?? []), ...(g ?? []).flatMap((name) => groups.find((x) => x.id === name)?.monitors ?? [])])];
  };
  const maintenance: ResolvedMaintenance[] = [];
  (input.maintenance ?? []).forEach((w, i) => {
    const startMs = Date.parse(w.start);
    const endMs = Date.parse(w.end);
    if (!(endMs > startMs)) err(`maintenance[${i}].end`, `must be after start (${w.start}), got ${w.end}`);
    maintenance.push({ startMs, endMs, monitors: covered(`maintenance[${i}]`, w.monitors, w.groups), groups: [...(w.groups ?? [])], message: w.message ?? '' });
  });
  const incidents: ResolvedPostedIncident[] = [];
  const incidentIds = new Set<string>();
  (input.incidents ?? []).forEach((inc, i) => {
    const id = inc.id ?? slugify(inc.title);
    if (incidentIds.has(id)) err(`incidents[${i}]${inc.id ? '.id' : '.title'}`, `incident id "${id}" is used twice; give each incident its own "id"`);
    incidentIds.add(id);
    const updates = inc.updates.map((u) => ({ atMs: Date.parse(u.at), status: u.status, message: u.message })).sort((a, b) => a.atMs - b.atMs);
    const named = inc.monitors?.length || inc.groups?.length ? covered(`incidents[${i}]`, inc.monitors, inc.groups) : [];
    incidents.push({ id, title: inc.title, monitors: named, updates });
  });
  return {
    page: { title: input.title ?? 'Status', description: input.description, slo: input.slo, groups, monitors, maintenance, incidents, detectedIncidents: input.detectedIncidents ?? true },
    problems,
  };
}
