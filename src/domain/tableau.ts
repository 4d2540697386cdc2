// Tableau extract refresh: the run's input, the per-data-source outcome and report, and the pure
// rules the workflow applies (reading a job's end, classifying a failure, polling backoff, alert).
import type { Alert } from './alert';

export type RefreshReason = 'schedule' | 'upstream-drift' | 'operator';

/** What an upstream schema-drift report carries (the Workday import's `{ newFields }`). */
export interface DriftReport {
  newFields: string[];
  /** The system whose schema changed, e.g. 'workday'. */
  source?: string;
}

export interface DataSourceSelector {
  names?: string[];
  projects?: string[];
  tags?: string[];
}

export interface TableauExtractRefreshInput {
  reason: RefreshReason;
  /** Which data sources; all filters AND-ed; every extract on the site when absent. */
  datasources?: DataSourceSelector;
  /** Present when an upstream import reported new fields. */
  drift?: DriftReport;
  /** Refreshes running at once (default 3). */
  maxConcurrent?: number;
  /** Hard limit per refresh job (default 120 minutes, Tableau Cloud's own limit). */
  jobTimeoutMinutes?: number;
  /** Polling backoff (defaults 15 s doubling to 5 min). */
  pollInitialSeconds?: number;
  pollMaxSeconds?: number;
}

export const REFRESH_DEFAULTS = {
  maxConcurrent: 3,
  jobTimeoutMinutes: 120,
  pollInitialSeconds: 15,
  pollMaxSeconds: 300,
} as const;

/** The data sources a Workday drift report refreshes: those tagged `workday`. */
export const DRIFT_SELECTORS: Record<string, DataSourceSelector> = { workday: { tags: ['workday'] } };

/** The input a Workday import starts this workflow with when its drift report lists new fields. */
export function refreshInputForDrift(report: DriftReport): TableauExtractRefreshInput {
  const source = report.source ?? 'workday';
  return {
    reason: 'upstream-drift',
    datasources: DRIFT_SELECTORS[source] ?? {},
    drift: { source, newFields: [...report.newFields] },
  };
}

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** finishCode 0 success, 1 failed, 2 cancelled; TSC also treats 3 ("Completed") as success. */
export function jobState(finishCode: number | undefined): JobState {
  if (finishCode === undefined) return 'running';
  if (finishCode === 0 || finishCode === 3) return 'succeeded';
  if (finishCode === 2) return 'cancelled';
  return 'failed';
}

export type FailureKind = 'schema' | 'credentials' | 'time-limit' | 'other';

const SCHEMA_PATTERNS = [
  /invalid column name/i,
  /column\b.*\b(does not|doesn't|no longer) exist/i,
  /no such column/i,
  /unknown column/i,
  /field\b.*\b(does not|doesn't|no longer) exist/i,
  /references a field that is missing/i,
];

export function classifyFailure(notes: string | undefined): FailureKind {
  const text = notes ?? '';
  if (SCHEMA_PATTERNS.some((p) => p.test(text))) return 'schema';
  if (/credential|password|oauth|authenticat/i.test(text)) return 'credentials';
  if (/time (resource )?limit|TableauCancelException/i.test(text)) return 'time-limit';
  return 'other';
}

/** Seconds before poll number `n` (0-based): initial, doubling, capped. */
export function pollDelaySeconds(n: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.min(n, 30));
}

export type RefreshOutcome = 'succeeded' | 'failed' | 'cancelled' | 'timed-out' | 'skipped' | 'error';

export interface DataSourceResult {
  datasourceId: string;
  name: string;
  project: string;
  outcome: RefreshOutcome;
  /** The last job's id; absent when no job was started. */
  jobId?: string;
  /** Refresh jobs started or joined (2 after a schema repair). */
  attempts: number;
  /** Workflow-clock seconds from the first refresh request to the end. */
  durationSeconds: number;
  /** A 409093 made this run join a job that was already queued. */
  joinedQueuedJob?: boolean;
  /** Connections updated after a schema error. */
  repairedConnections?: number;
  reason?: string;
  owner?: string;
}

export interface TableauRefreshReport {
  reason: RefreshReason;
  site: string;
  status: 'ok' | 'failed';
  counts: Record<RefreshOutcome, number>;
  datasources: DataSourceResult[];
  drift?: {
    source: string;
    newFields: string[]; /** ServiceNow incidents raised for failed data sources. */
    incidents?: string[];
  };
  notified?: { slack: string; teams: string };
  /** ServiceNow incidents raised for failed data sources. */
  incidents?: string[];
}

export function countOutcomes(results: DataSourceResult[]): Record<RefreshOutcome, number> {
  const counts: Record<RefreshOutcome, number> = {
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    'timed-out': 0,
    skipped: 0,
    error: 0,
  };
  for (const r of results) counts[r.outcome] += 1;
  return counts;
}

const MARK: Record<RefreshOutcome, string> = {
  succeeded: '✅',
  failed: '❌',
  cancelled: '⛔',
  'timed-out': '⏱️',
  skipped: '➖',
  error: '❌',
};

export function isProblem(outcome: RefreshOutcome): boolean {
  return outcome === 'failed' || outcome === 'cancelled' || outcome === 'timed-out' || outcome === 'error';
}

/** One summary for Slack and Teams: a line per data source with its job, attempts, reason, owner. */
export function refreshAlert(
  report: Omit<TableauRefreshReport, 'notified' | 'status'>,
  runId: string,
): Alert {
  const problems = report.datasources.filter((d) => isProblem(d.outcome));
  const c = report.counts;
  const because =
    report.reason === 'upstream-drift' && report.drift
      ? ` after ${report.drift.source} reported new fields (${report.drift.newFields.join(', ')})`
      : report.reason === 'operator'
        ? ' started by an operator'
        : '';
  return {
    title: problems.length
      ? `Tableau extract refresh: ${problems.length} of ${report.datasources.length} need attention`
      : `Tableau extract refresh: ${c.succeeded} refreshed`,
    severity: problems.length ? 'critical' : 'info',
    connector: 'tableau',
    summary:
      `Site ${report.site}${because}: ${c.succeeded} succeeded, ${c.failed + c.error} failed, ` +
      `${c.cancelled} cancelled, ${c['timed-out']} timed out, ${c.skipped} skipped (run ${runId}).`,
    facts: report.datasources.map((d) => ({
      name: d.name,
      value: [
        `${MARK[d.outcome]} ${d.outcome}`,
        d.jobId ? `job ${d.jobId}` : undefined,
        d.attempts > 1 ? `${d.attempts} attempts` : undefined,
        d.repairedConnections ? `connection updated after schema error` : undefined,
        d.joinedQueuedJob ? 'joined the queued job' : undefined,
        `${d.durationSeconds}s`,
        d.reason ? `reason: ${d.reason}` : undefined,
        isProblem(d.outcome) && d.owner ? `owner: ${d.owner}` : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
    })),
  };
}
