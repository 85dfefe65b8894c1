/**
 * AlertManager: the I/O shell around the pure state machine (state.ts, reconcile.ts).
 *
 * evaluate(): per monitor in the input, load its state from the store KV (namespace `alerts`),
 * apply the run's results and finding changes, reconcile each incident against the gate (mute,
 * maintenance, flapping), save the AlertRecords, queue one delivery per event and channel (the
 * payload rendered and redacted once), then write the state back.
 * deliver(): drain the outbox within a time budget (outbox.ts).
 */
import { randomUUID } from 'node:crypto';
import { usualFlakes } from '../flaky/alerting.js';
import type { MonitorResult } from '../model/index.js';
import type { Clock } from '../runtime/clock.js';
import { isoAt, systemClock } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import type { AlertRecord, Store } from '../store/store.js';
import type { Channel } from './channels/channel.js';
import { channelRegistry, isChannelType } from './channels/registry.js';
import { stepId, type AlertsConfig } from './config.js';
import { AlertsConfigError } from './errors.js';
import { gateFor, type Gate } from './gate.js';
import { INCIDENT_PAGES_NAMESPACE, incidentRefFor, openIncidents, type IncidentPage } from './incident-link.js';
import { buildEvent, deliveryId } from './messages.js';
import { drainOutbox, type DeliveryReport } from './outbox.js';
import { markAnnounced, reconcile } from './reconcile.js';
import { route } from './routing.js';
import { applyFindingChange, applyResult, parseState, type Incident, type MonitorState } from './state.js';
import type { AlertEvent, AlertIncidentRef, FindingChange } from './types.js';

/** Store KV namespace of the per-monitor alert states. */
export const ALERT_STATE_NAMESPACE = 'alerts';

export interface AlertManagerOptions {
  store: Store;
  /** The validated section with defaults applied (resolveAlertsConfig). */
  config: AlertsConfig;
  redactor: Redactor;
  clock?: Clock;
  /** The log channel's output and the manager's own diagnostics (redacted before the call). */
  log?: (line: string) => void;
  /** Default per-request timeout for channels that set none (default 5000 ms). */
  fetchTimeoutMs?: number;
  /** First retry delay, doubled per retry (default 500 ms). */
  retryBaseMs?: number;
  /** Cap of one retry delay (default 5000 ms). */
  retryMaxMs?: number;
  /** Total time budget of one deliver() round when the caller sets none (default 10000 ms). */
  deliveryBudgetMs?: number;
  /** Attempts across runs after which a delivery is abandoned (default 50). */
  maxAttempts?: number;
  /** Group the store's recent runs into incidents and let alerts carry them, one page per incident (default true). */
  incidents?: boolean;
}

/** The incident an evaluation's monitor is part of, and the pages already sent per incident. */
interface IncidentContext {
  ref?: AlertIncidentRef;
  pages: Map<string, IncidentPage>;
  newPages: Map<string, IncidentPage>;
  /** Monitors that joined a paged incident in this evaluation (the page gets an update naming them). */
  joins: Array<{ incident: string; page: IncidentPage; monitor: string }>;
}

export interface EvaluateInput {
  results: MonitorResult[];
  findingChanges: FindingChange[];
}

export class AlertManager {
  private readonly store: Store;
  private readonly config: AlertsConfig;
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly channels = new Map<string, Channel>();
  private readonly opts: AlertManagerOptions;
  /** This manager's id in the outbox's channel leases (runners sharing a store drain a channel one at a time). */
  private readonly owner = randomUUID();
  /** deliver() rounds run one at a time in a process, so no message is sent by two at once. */
  private delivering: Promise<unknown> = Promise.resolve();
  private evaluating: Promise<unknown> = Promise.resolve();

  constructor(opts: AlertManagerOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.config = opts.config;
    this.redactor = opts.redactor;
    this.clock = opts.clock ?? systemClock;
    const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
    this.log = (line) => log(this.redactor.redact(line));
    const deps = { redactor: this.redactor, log: this.log, defaultTimeoutMs: opts.fetchTimeoutMs ?? 5000, defaultRetries: 2 };
    opts.config.channels.forEach((c, i) => {
      if (!isChannelType(c.type)) {
        throw new AlertsConfigError([{ path: `alerts.channels[${i}].type`, message: `unknown channel type "${String(c.type)}"; expected one of ${Object.keys(channelRegistry).join(', ')}` }]);
      }
      this.channels.set(c.name, channelRegistry[c.type].create(c, deps));
    });
  }

  /** Names of the configured channels. */
  get channelNames(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * Update the state machines with one run's results and finding changes; queue messages.
   * Calls run one at a time in a process (the daemon's lanes may finish together), so a
   * monitor's state is never read and written by two evaluations at once.
   */
  evaluate(input: EvaluateInput): Promise<AlertEvent[]> {
    const round = this.evaluating.then(() => this.evaluateNow(input));
    this.evaluating = round.catch(() => undefined);
    return round;
  }

  private async evaluateNow(input: EvaluateInput): Promise<AlertEvent[]> {
    const nowMs = this.clock.nowMs();
    const at = isoAt(nowMs);
    const work = new Map<string, { results: MonitorResult[]; changes: FindingChange[] }>();
    const entry = (m: string) => work.get(m) ?? work.set(m, { results: [], changes: [] }).get(m)!;
    // Error messages and explanations go into the stored state and messages: redact them first.
    for (const r of input.results) {
      entry(r.monitor).results.push(r.error ? { ...r, error: { ...r.error, message: this.redactor.redact(r.error.message) } } : r);
    }
    for (const c of input.findingChanges) entry(c.finding.series.monitor).changes.push(this.redactor.redactDeep(c));
    if (work.size === 0) return [];

    // Incidents from the store's recent runs (this run's results are stored already): alerts name
    // theirs, and an incident that groups several monitors pages once.
    let grouped: Awaited<ReturnType<typeof openIncidents>> = [];
    const pages = new Map<string, IncidentPage>();
    const newPages = new Map<string, IncidentPage>();
    const joins: IncidentContext['joins'] = [];
    // Reading the store's recent runs costs: only when something is bad in this run (an alert may open, or go on).
    const bad = input.results.some((r) => r.status === 'failed') || input.findingChanges.some((c) => c.finding.status === 'open');
    if (this.opts.incidents !== false && bad) {
      try {
        grouped = await openIncidents(this.store, input.results, nowMs);
        const shared = grouped.map((i) => i.id);
        if (shared.length) for (const [id, page] of await this.store.getStates(INCIDENT_PAGES_NAMESPACE, shared)) pages.set(id, page as IncidentPage);
      } catch (err) {
        this.log(`alerts: incidents not grouped (alerts go out on their own): ${err instanceof Error ? err.message : String(err)}`);
        grouped = [];
      }
    }

    const events: AlertEvent[] = [];
    for (const [monitor, { results, changes }] of work) {
      const ref = incidentRefFor(grouped, monitor);
      const context: IncidentContext = { ...(ref ? { ref: this.redactor.redactDeep(ref) } : {}), pages, newPages, joins };
      // A flaky monitor's failures alert only past its usual rate (src/flaky).
      const flakes = await usualFlakes(this.store, monitor, results);
      // Read-modify-write of one monitor's state as one step (runners sharing the store queue).
      await this.store.updateStates(ALERT_STATE_NAMESPACE, [monitor], async (stored) => {
        const state = parseState(monitor, stored.get(monitor));
        const before = incidentFingerprints(state);
        results.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
        for (const r of results) if (!flakes.has(r.id)) applyResult(state, r, this.config.rules, at);
        for (const c of changes) applyFindingChange(state, c, this.config.rules, at);
        events.push(...(await this.settle(state, before, nowMs, at, context)));
        return new Map([[monitor, state]]);
      });
    }
    for (const join of joins) events.push(...(await this.announceJoin(join, grouped, nowMs, at, newPages)));
    if (newPages.size) await this.store.putStates(INCIDENT_PAGES_NAMESPACE, newPages as Map<string, unknown>);
    return events;
  }

  /** A monitor joined an incident another alert paged for: that alert sends an update naming it (not a second page). */
  private async announceJoin(join: IncidentContext['joins'][number], grouped: Awaited<ReturnType<typeof openIncidents>>, nowMs: number, at: string, newPages: Map<string, IncidentPage>): Promise<AlertEvent[]> {
    const out: AlertEvent[] = [];
    const { page } = join;
    await this.store.updateStates(ALERT_STATE_NAMESPACE, [page.monitor], async (stored) => {
      const state = parseState(page.monitor, stored.get(page.monitor));
      const inc = [state.down, ...Object.values(state.findings)].find((i) => i?.alertId === page.alertId);
      const gate = gateFor(state, this.config, nowMs);
      const found = incidentRefFor(grouped, page.monitor);
      if (!inc || inc.state !== 'open' || inc.announced !== 'open' || gate.kind !== 'ok' || !found) return new Map();
      const ref = this.redactor.redactDeep(found);
      const base = buildEvent(inc, state, this.config, 'update', nowMs, false, at);
      const title = `${base.title.replace(/ got worse: failing/, ' is failing')} — incident ${ref.id} now also affects ${ref.otherMonitors.join(', ')}`;
      const event = this.redactor.redactDeep({ ...base, title, incident: ref });
      markAnnounced(inc, 'update', nowMs);
      const channels = this.tell(inc, event);
      await this.saveRecord(inc, state, gate, event, nowMs, at, ref);
      await this.enqueue(event, at, channels);
      out.push(event);
      page.monitors = [...new Set([...(page.monitors ?? []), ...ref.monitors])].sort();
      newPages.set(join.incident, page);
      return new Map([[page.monitor, state]]);
    });
    return out;
  }

  /** Send queued messages (this run's and older undelivered ones) within the budget. */
  deliver(opts: { budgetMs?: number } = {}): Promise<DeliveryReport> {
    const round = this.delivering.then(() =>
      drainOutbox(
        {
          store: this.store,
          owner: this.owner,
          channels: this.channels,
          redactor: this.redactor,
          clock: this.clock,
          log: this.log,
          retryBaseMs: this.opts.retryBaseMs ?? 500,
          retryMaxMs: this.opts.retryMaxMs ?? 5000,
          maxAttempts: this.opts.maxAttempts ?? 50,
        },
        opts.budgetMs ?? this.opts.deliveryBudgetMs ?? 10_000,
      ),
    );
    this.delivering = round.catch(() => undefined);
    return round;
  }

  /** Reconcile every incident of a monitor; save the AlertRecords that changed; queue the events. */
  private async settle(state: MonitorState, before: Map<string, string>, nowMs: number, at: string, context: IncidentContext): Promise<AlertEvent[]> {
    const gate = gateFor(state, this.config, nowMs);
    const events: AlertEvent[] = [];
    const incidents: Array<[Incident, () => void]> = [];
    if (state.down) incidents.push([state.down, () => (state.down = null)]);
    for (const [cause, inc] of Object.entries(state.findings)) incidents.push([inc, () => delete state.findings[cause]]);

    for (const [inc, drop] of incidents) {
      const decision = reconcile(inc, gate, this.config.rules, nowMs);
      let event: AlertEvent | null = null;
      const ref = context.ref;
      if (decision.event === 'open' && ref && !inc.joined) {
        // One page per incident: the first alert of it pages; other monitors' alerts join it.
        const page = context.pages.get(ref.id);
        if (page && page.monitor !== state.monitor) {
          inc.joined = { incident: ref.id, alertId: page.alertId };
          if (!(page.monitors ?? []).includes(state.monitor)) context.joins.push({ incident: ref.id, page, monitor: state.monitor });
        } else if (!page) {
          const claim: IncidentPage = { alertId: inc.alertId, monitor: state.monitor, at, monitors: [...ref.monitors] };
          context.pages.set(ref.id, claim);
          context.newPages.set(ref.id, claim);
        }
      }
      let channels: string[] = [];
      if (decision.event) {
        event = this.redactor.redactDeep({ ...buildEvent(inc, state, this.config, decision.event, nowMs, decision.settled, at), ...(ref ? { incident: ref } : {}) });
        markAnnounced(inc, decision.event, nowMs);
        // An alert that joined another's incident is listed in that page; it sends nothing itself.
        if (!inc.joined) {
          channels = this.tell(inc, event);
          if (decision.event === 'open') inc.pagedAtMs ??= nowMs;
        }
      }
      if (event || decision.close || before.get(inc.alertId) !== JSON.stringify(inc)) {
        await this.saveRecord(inc, state, gate, event, nowMs, at, ref);
      }
      if (event && !inc.joined) {
        await this.enqueue(event, at, channels);
        events.push(event);
      }
      if (decision.close) drop();
    }
    return events;
  }

  /**
   * The channels an event goes to (routing.ts), remembered on the incident: a resolve goes to
   * every channel told before, whatever the routes say now.
   */
  private tell(inc: Incident, event: AlertEvent, only?: string[]): string[] {
    const channels = only ?? (event.type === 'resolved' && inc.channels ? inc.channels : route(this.config.routing, event).channels);
    inc.channels = [...new Set([...(inc.channels ?? []), ...channels])];
    return channels;
  }

  /**
   * Escalate open alerts nobody acknowledged (`observer alerts ack`): each step of the routes that
   * took an alert fires once, `afterMs` after its first page, to its channels. Muted, in
   * maintenance, flapping, joined or acknowledged alerts do not escalate. Each monitor's state is
   * read and written under the store's state lock (`updateStates`), so runners sharing a store
   * never escalate one step twice. Call it on a timer (the daemon) or after each run; it queues,
   * `deliver()` sends.
   */
  escalate(): Promise<AlertEvent[]> {
    const round = this.evaluating.then(() => this.escalateNow());
    this.evaluating = round.catch(() => undefined);
    return round;
  }

  /** Whether any route escalates (otherwise escalate() has nothing to do). */
  get escalates(): boolean {
    return [...this.config.routing.routes, this.config.routing.default].some((r) => r.escalate.length > 0);
  }

  private async escalateNow(): Promise<AlertEvent[]> {
    if (!this.escalates) return [];
    const nowMs = this.clock.nowMs();
    const at = isoAt(nowMs);
    const open = await this.store.listAlerts({ status: 'open' });
    const monitors = [...new Set(open.filter((a) => a.ack === null && a.details?.announced === 'open' && !a.details?.joined).map((a) => a.monitor))].sort();
    const events: AlertEvent[] = [];
    for (const monitor of monitors) {
      await this.store.updateStates(ALERT_STATE_NAMESPACE, [monitor], async (stored) => {
        const state = parseState(monitor, stored.get(monitor));
        const gate = gateFor(state, this.config, nowMs);
        if (gate.kind !== 'ok') return new Map();
        let changed = false;
        for (const inc of [state.down, ...Object.values(state.findings)]) {
          if (!inc || inc.state !== 'open' || inc.announced !== 'open' || inc.joined || inc.pagedAtMs === undefined) continue;
          const base = buildEvent(inc, state, this.config, 'escalation', nowMs, false, at);
          const steps = route(this.config.routing, base).routes.flatMap((r) => r.escalate);
          const due = steps.filter((st) => nowMs - inc.pagedAtMs! >= st.afterMs && !(inc.escalated ?? []).includes(stepId(st)));
          if (!due.length) continue;
          // The acknowledgement is on the stored record (the CLI writes it there); read it under the lock.
          if ((await this.store.getAlert(inc.alertId))?.ack) continue;
          for (const st of due) {
            const event = this.redactor.redactDeep(buildEvent(inc, state, this.config, 'escalation', nowMs, false, at));
            markAnnounced(inc, 'escalation', nowMs);
            inc.escalated = [...(inc.escalated ?? []), stepId(st)];
            const channels = this.tell(inc, event, st.channels);
            await this.saveRecord(inc, state, gate, event, nowMs, at);
            await this.enqueue(event, at, channels);
            events.push(event);
            changed = true;
          }
        }
        return changed ? new Map([[monitor, state]]) : new Map();
      });
    }
    return events;
  }

  private async enqueue(event: AlertEvent, at: string, names: string[]): Promise<void> {
    for (const name of names) {
      const channel = this.channels.get(name);
      if (!channel) continue;
      await this.store.enqueueDelivery({
        id: deliveryId(event.id, channel.name),
        alertId: event.alertId,
        channel: channel.name,
        event: event.type,
        payload: this.redactor.redactDeep(channel.render(event)),
        createdAt: at,
        attempts: 0,
        deliveredAt: null,
        lastError: null,
      });
    }
  }

  private async saveRecord(inc: Incident, state: MonitorState, gate: Gate, event: AlertEvent | null, nowMs: number, at: string, ref?: AlertIncidentRef): Promise<void> {
    const existing = await this.store.getAlert(inc.alertId);
    const message = event?.title ?? buildEvent(inc, state, this.config, inc.state === 'open' ? 'open' : 'resolved', nowMs, false, at).title;
    const rules = this.config.rules;
    const record: AlertRecord = {
      id: inc.alertId,
      key: inc.key,
      rule: inc.rule,
      monitor: state.monitor,
      cause: inc.cause,
      severity: inc.severity,
      status: inc.state,
      openedAt: inc.openedAt,
      updatedAt: at,
      resolvedAt: inc.resolvedAt,
      message: this.redactor.redact(message),
      flaps: inc.flaps,
      ack: existing?.ack ?? null,
      details: this.redactor.redactDeep({
        monitorName: state.name,
        version: inc.version,
        announced: inc.announced,
        ...(gate.kind !== 'ok' && (inc.announced === null || gate.kind === 'flapping') ? { heldBy: gate.kind } : {}),
        locations: inc.locations,
        affected: inc.affected,
        errorClasses: inc.errorClasses,
        explanation: inc.explanation,
        tags: state.tags,
        ...(inc.finding ? { finding: { id: inc.finding.id, kind: inc.finding.kind, series: inc.finding.series } } : {}),
        ...(ref ? { incident: ref } : {}),
        ...(inc.joined ? { joined: inc.joined } : {}),
        ...(inc.channels ? { channels: inc.channels } : {}),
        ...(inc.escalated?.length ? { escalated: inc.escalated } : {}),
        rules: {
          failureThreshold: rules.failureThreshold,
          successThreshold: rules.successThreshold,
          ...(rules.minLocations !== undefined ? { minLocations: rules.minLocations } : {}),
          findingSeverity: rules.findingSeverity,
          flapping: rules.flapping,
        },
      }),
    };
    await this.store.saveAlert(record);
  }
}

/** The incidents as loaded, to save only AlertRecords whose incident changed in this evaluation. */
function incidentFingerprints(state: MonitorState): Map<string, string> {
  const out = new Map<string, string>();
  for (const inc of [state.down, ...Object.values(state.findings)]) if (inc) out.set(inc.alertId, JSON.stringify(inc));
  return out;
}
