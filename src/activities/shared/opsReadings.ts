// Reads the operational state through a Temporal Client: runs per connector from visibility,
// dead-letter queue summaries, breaker states and renewal escalations by query. Shared by the
// digest activity (the worker's client) and the CLI `status` command (its own client).
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { DeadLetterQueueSummary } from '../../domain/deadLetter';
import type { RemediationAction } from '../../domain/digest';
import type { BreakerState } from '../../domain/breaker';
import { CONNECTOR_KEY } from '../../domain/search-attributes';

export interface BreakerReading {
  connector: string;
  state: BreakerState;
  history: { state: BreakerState; by: string; reason: string; at: string }[];
}

export interface RunTally {
  succeeded: number;
  failed: number;
  stopped: number;
  failedRuns: { workflowId: string; workflowType: string; closedAt: string }[];
}

export const UNATTRIBUTED = '(no connector)';
const QUERY_DEADLINE_MS = 5_000;
const FAILED = new Set(['FAILED', 'TIMED_OUT']);
const STOPPED = new Set(['TERMINATED', 'CANCELLED']);

/** Visibility's datetime literal (RFC 3339). */
function at(date: Date): string {
  return JSON.stringify(date.toISOString());
}

/** Runs every workflow query with a deadline, so a missing worker cannot hang the caller. */
async function queryWithDeadline<T>(client: Client, workflowId: string, query: string): Promise<T> {
  return client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
    client.workflow.getHandle(workflowId).query<T>(query),
  );
}

export function connectorOf(run: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>): string {
  return run.typedSearchAttributes.get(CONNECTOR_KEY) ?? UNATTRIBUTED;
}

// A failed run's announcement (runFailureAlert, tagged with the failed run's connector) is not a run
// of the connector's work: counted, every failure would also show as a success.
const NOT_AN_ALERT = 'WorkflowType != "runFailureAlert"';

/**
 * Every run that closed in [since, until), tallied per connector. One visibility scan: count()
 * can only group by ExecutionStatus, so per-connector counts would need the connector list first.
 * Continued-as-new runs are one logical run still going and are not counted.
 */
export async function runsInWindow(
  client: Client,
  since: Date,
  until: Date,
  maxRuns = 20_000,
): Promise<{ tallies: Map<string, RunTally>; truncated: boolean }> {
  const tallies = new Map<string, RunTally>();
  let seen = 0;
  const runs = client.workflow.list({
    query: `CloseTime >= ${at(since)} AND CloseTime < ${at(until)} AND ${NOT_AN_ALERT}`,
    pageSize: 1000,
  });
  for await (const run of runs) {
    if (++seen > maxRuns) return { tallies, truncated: true };
    const status = run.status.name;
    if (status === 'CONTINUED_AS_NEW') continue;
    const connector = connectorOf(run);
    const tally = tallies.get(connector) ?? { succeeded: 0, failed: 0, stopped: 0, failedRuns: [] };
    tallies.set(connector, tally);
    if (status === 'COMPLETED') tally.succeeded++;
    else if (FAILED.has(status)) {
      tally.failed++;
      tally.failedRuns.push({
        workflowId: run.workflowId,
        workflowType: run.type,
        closedAt: run.closeTime?.toISOString() ?? '',
      });
    } else if (STOPPED.has(status)) tally.stopped++;
  }
  for (const tally of tallies.values()) {
    tally.failedRuns.sort((a, b) => b.closedAt.localeCompare(a.closedAt));
    tally.failedRuns.splice(5);
  }
  return { tallies, truncated: false };
}

async function runningIds(client: Client, workflowType: string): Promise<string[]> {
  const ids: string[] = [];
  const runs = client.workflow.list({
    query: `WorkflowType = ${JSON.stringify(workflowType)} AND ExecutionStatus = "Running"`,
  });
  for await (const run of runs) ids.push(run.workflowId);
  return ids;
}

/** Queries every running workflow of a type; the ones that do not answer are named in `errors`. */
async function queryAllRunning<T>(
  client: Client,
  workflowType: string,
  query: string,
): Promise<{ results: T[]; errors: string[] }> {
  const ids = await runningIds(client, workflowType);
  const settled = await Promise.allSettled(ids.map((id) => queryWithDeadline<T>(client, id, query)));
  const results: T[] = [];
  const errors: string[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') results.push(s.value);
    else errors.push(`${ids[i]}: ${(s.reason as Error)?.message ?? String(s.reason)}`);
  });
  return { results, errors };
}

export function deadLetterSummaries(client: Client) {
  return queryAllRunning<DeadLetterQueueSummary>(client, 'deadLetterQueue', 'summary');
}

export function breakerReadings(client: Client) {
  return queryAllRunning<BreakerReading>(client, 'circuitBreaker', 'state');
}

interface RenewalStatusReading {
  host: string;
  actions: { at: string; who: string; action: string; detail: string }[];
}

/** Escalations fired in the window by certificate renewals (running, or closed in the window). */
export async function renewalEscalations(
  client: Client,
  since: Date,
  until: Date,
): Promise<{ byConnector: Map<string, RemediationAction[]>; errors: string[] }> {
  const byConnector = new Map<string, RemediationAction[]>();
  const errors: string[] = [];
  const runs: { workflowId: string; connector: string }[] = [];
  const list = client.workflow.list({
    query: `WorkflowType = "certificateRenewal" AND (ExecutionStatus = "Running" OR CloseTime >= ${at(since)})`,
  });
  for await (const run of list) runs.push({ workflowId: run.workflowId, connector: connectorOf(run) });
  const settled = await Promise.allSettled(
    runs.map((r) => queryWithDeadline<RenewalStatusReading>(client, r.workflowId, 'status')),
  );
  settled.forEach((s, i) => {
    const run = runs[i]!;
    if (s.status === 'rejected') {
      errors.push(`${run.workflowId}: ${(s.reason as Error)?.message ?? String(s.reason)}`);
      return;
    }
    const actions = byConnector.get(run.connector) ?? [];
    for (const a of s.value.actions) {
      if (a.action !== 'escalated' || !inWindow(a.at, since, until)) continue;
      actions.push({ at: a.at, kind: 'escalation', detail: `certificate ${s.value.host}: ${a.detail}` });
    }
    if (actions.length > 0) byConnector.set(run.connector, actions);
  });
  return { byConnector, errors };
}

export function breakerActions(reading: BreakerReading, since: Date, until: Date): RemediationAction[] {
  return (
    reading.history
      // Half-opening is the breaker's own timer, not a remediation action.
      .filter((t) => inWindow(t.at, since, until) && t.state !== 'half-open')
      .map((t) => ({
        at: t.at,
        kind: t.state === 'open' ? 'breaker-opened' : 'breaker-closed',
        detail: `by ${t.by}: ${t.reason}`,
      }))
  );
}

/** The queue's `recent` entries that are remediation (adding an item is not). */
const DLQ_ACTIONS: Record<string, { kind: RemediationAction['kind']; what: string }> = {
  'redrive-succeeded': { kind: 'redrive', what: 'redriven' },
  'redrive-failed': { kind: 'redrive', what: 'failed again on redrive' },
  expired: { kind: 'expired', what: 'expired' },
  dropped: { kind: 'dropped', what: 'dropped: the queue is full' },
};

export function deadLetterActions(
  summary: DeadLetterQueueSummary,
  since: Date,
  until: Date,
): RemediationAction[] {
  const actions: RemediationAction[] = [];
  for (const r of summary.recent) {
    if (!inWindow(r.at, since, until)) continue;
    const action = DLQ_ACTIONS[r.action];
    if (action) actions.push({ at: r.at, kind: action.kind, detail: `${r.count} ${action.what}` });
  }
  return actions;
}

/** The newest closed run of a connector (status command). */
export async function lastClosedRun(
  client: Client,
  connector: string,
): Promise<WorkflowExecutionInfo | undefined> {
  const runs = client.workflow.list({
    query: `Connector = ${JSON.stringify(connector)} AND ExecutionStatus != "Running" AND ExecutionStatus != "ContinuedAsNew" AND ${NOT_AN_ALERT}`,
    pageSize: 1,
  });
  for await (const run of runs) return run;
  return undefined;
}

function inWindow(iso: string, since: Date, until: Date): boolean {
  const t = Date.parse(iso);
  return t >= since.getTime() && t < until.getTime();
}
