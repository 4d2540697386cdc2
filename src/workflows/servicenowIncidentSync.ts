// servicenowIncidentSync: the delta sync of incidents and change requests, scheduled every 5 minutes.
// One activity per keyset page on (sys_updated_on, sys_id); a page's effects (announcements, CAB
// signals) happen before its position counts, and any failure fails the run, so a run that reports
// success has done everything up to its cursor. The cursor carries from one scheduled run to the next
// as the schedule's last completion result (`workflowInfo().lastResult`); an explicit `cursor` input
// overrides it (operators re-running a window), and a failed run leaves the last good cursor in place.
import {
  ActivityFailure,
  ApplicationFailure,
  defineSignal,
  getExternalWorkflowHandle,
  workflowInfo,
} from '@temporalio/workflow';
import { validateCursor, type KeysetCursor } from '../domain/cursor';
import {
  digestAlert,
  incidentAlert,
  MAX_ALERTS_PER_PAGE,
  SYNC_TABLES,
  type CabDecision,
  type SyncCursor,
  type SyncEvent,
  type SyncTable,
} from '../domain/servicenow';
import { servicenowIncidentSyncInput } from '../domain/inputs/servicenowIncidentSync';
import { announce } from './shared/announce';
import { vendorActivities } from './shared/vendorActivities';
import { beginRun, dropUnknownSignals } from './shared/runStart';

/** Sent to the workflow whose id is a change request's correlation_id when CAB decides. */
export const cabDecisionSignal = defineSignal<[CabDecision]>('cabDecision');

export interface IncidentSyncInput {
  /** Start here instead of the last scheduled run's cursor. */
  cursor?: SyncCursor;
  /** Rows per request (default 1000, at most 10,000). */
  pageSize?: number;
  /** Only rows older than this many seconds are read, so a second still being written is never split. Default 5. */
  settleSeconds?: number;
  /** Pages per run before the rest is left to the next run (default 1000). */
  maxPages?: number;
  tables?: SyncTable[];
}

export interface IncidentSyncReport {
  outcome: 'ok' | 'not-configured';
  pages: number;
  records: number;
  new: number;
  changed: number;
  notified: number;
  signalled: number;
  /** CAB decisions whose waiting workflow no longer exists. */
  signalsUndelivered: number;
  horizon: string;
  cursorBefore: SyncCursor;
  cursorAfter: SyncCursor;
  /** maxPages was reached: the next run continues. */
  more: boolean;
}

const sn = vendorActivities('servicenow', {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 30,
  },
});

export async function servicenowIncidentSync(raw: IncidentSyncInput): Promise<IncidentSyncReport> {
  const input = beginRun(servicenowIncidentSyncInput, raw, () => ({
    connector: 'servicenow',
    details:
      'Delta sync of ServiceNow incidents and change requests since the last cursor: announce P1/P2 and state changes, signal CAB decisions.',
  }));
  dropUnknownSignals();
  const previous = workflowInfo().lastResult as IncidentSyncReport | undefined;
  const cursorBefore: SyncCursor = { ...(input.cursor ?? previous?.cursorAfter ?? {}) };
  for (const c of Object.values(cursorBefore)) if (c) validateInput(() => validateCursor(c));
  const pageSize = Math.min(10_000, Math.max(1, input.pageSize ?? 1000));
  const maxPages = Math.max(1, input.maxPages ?? 1000);
  let horizon: string;
  try {
    horizon = await sn.servicenowSyncHorizon(input.settleSeconds ?? 5);
  } catch (err) {
    if (isNotConfigured(err)) return emptyReport('not-configured', cursorBefore, '');
    throw err;
  }
  const report = emptyReport('ok', cursorBefore, horizon);

  for (const table of input.tables ?? SYNC_TABLES) {
    let after: KeysetCursor | undefined = cursorBefore[table];
    for (;;) {
      if (report.pages >= maxPages) {
        report.more = true;
        break;
      }
      const page = await sn.servicenowSyncPage({
        table,
        after,
        horizon,
        pageSize,
        since: cursorBefore[table],
      });
      report.pages += 1;
      report.records += page.records;
      report.new += page.created;
      report.changed += page.changed;
      await applyEffects(page.events, report);
      // Only now does the page count: its effects are done.
      if (page.last) after = page.last;
      report.cursorAfter = { ...report.cursorAfter, ...(after ? { [table]: after } : {}) };
      if (!page.full) break;
    }
  }
  return report;
}

async function applyEffects(events: SyncEvent[], report: IncidentSyncReport): Promise<void> {
  const incidents = events.filter(
    (e): e is Extract<SyncEvent, { kind: 'incident' }> => e.kind === 'incident',
  );
  const alerts =
    incidents.length > MAX_ALERTS_PER_PAGE ? [digestAlert(incidents)] : incidents.map(incidentAlert);
  for (const alert of alerts) {
    const outcome = await announce(alert);
    if (outcome.slack === 'failed' || outcome.teams === 'failed') {
      throw ApplicationFailure.create({
        message: `announcement "${alert.title}" failed (Slack ${outcome.slack}, Teams ${outcome.teams}); the cursor stays before this page`,
        type: 'EffectFailed',
        nonRetryable: true,
      });
    }
    report.notified += 1;
  }
  for (const e of events) {
    if (e.kind !== 'cab-decision') continue;
    try {
      await getExternalWorkflowHandle(e.workflowId).signal(cabDecisionSignal, {
        changeNumber: e.number,
        changeSysId: e.sysId,
        approval: e.approval,
        decidedAt: e.decidedAt,
      });
      report.signalled += 1;
    } catch {
      // The waiting workflow finished or never existed: nobody is left to tell.
      report.signalsUndelivered += 1;
    }
  }
}

function emptyReport(
  outcome: IncidentSyncReport['outcome'],
  cursor: SyncCursor,
  horizon: string,
): IncidentSyncReport {
  return {
    outcome,
    pages: 0,
    records: 0,
    new: 0,
    changed: 0,
    notified: 0,
    signalled: 0,
    signalsUndelivered: 0,
    horizon,
    cursorBefore: cursor,
    cursorAfter: { ...cursor },
    more: false,
  };
}

function isNotConfigured(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'NotConfigured'
  );
}

function validateInput(check: () => void): void {
  try {
    check();
  } catch (err) {
    throw ApplicationFailure.create({
      message: (err as Error).message,
      type: 'InvalidInput',
      nonRetryable: true,
    });
  }
}
