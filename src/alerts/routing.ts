/**
 * Which channels an alert goes to (pure). Routes are tried in order, like Alertmanager's: the
 * first that matches decides, unless it sets `continue`, then the next ones are tried too; with no
 * match the default route takes it. Every matcher a route gives must match: monitors (id or name),
 * tags, severity, locations (any value of each list).
 *
 * A resolve goes to every channel told about the alert (kept in its state), whatever the routes
 * say now: a PagerDuty incident opened at `critical` is closed by the same channel after the alert
 * dropped to `warning`.
 */
import type { RouteMatch, RouteTarget, Routing } from './config.js';
import type { Severity } from '../model/index.js';

/** What routes look at: the alert's monitor, tags, severity and affected locations. */
export interface RouteSubject {
  monitor: string;
  monitorName: string;
  tags: string[];
  severity: Severity;
  locations: string[];
}

export interface Routed {
  /** Channel names, without repeats, in route order. */
  channels: string[];
  /** The routes that took the alert (the default when none matched): their escalation steps apply. */
  routes: RouteTarget[];
}

const anyOf = <T>(wanted: T[] | undefined, have: T[]): boolean => wanted === undefined || wanted.some((w) => have.includes(w));

export function matches(match: RouteMatch, s: RouteSubject): boolean {
  return (
    anyOf(match.monitors, [s.monitor, s.monitorName]) &&
    anyOf(match.tags, s.tags) &&
    anyOf(match.severity, [s.severity]) &&
    anyOf(match.locations, s.locations)
  );
}

export function route(routing: Routing, subject: RouteSubject): Routed {
  const taken: RouteTarget[] = [];
  for (const r of routing.routes) {
    if (!matches(r.match, subject)) continue;
    taken.push(r);
    if (!r.continue) break;
  }
  const routes = taken.length ? taken : [routing.default];
  return { channels: [...new Set(routes.flatMap((r) => r.channels))], routes };
}
