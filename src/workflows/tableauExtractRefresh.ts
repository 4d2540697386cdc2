// tableauExtractRefresh: refreshes the chosen Tableau extracts with bounded concurrency, polls each
// job on durable timers with backoff and a hard timeout, repairs a schema error once (update the
// connection, refresh again), and announces one summary with the failures' reasons and owners.
// Started by the daily schedule, by an upstream import's drift report, or by an operator.
import { defineQuery, log, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DataSourceRef } from '../activities/tableau';
import {
  REFRESH_DEFAULTS,
  classifyFailure,
  countOutcomes,
  isProblem,
  pollDelaySeconds,
  refreshAlert,
  type DataSourceResult,
  type JobState,
  type TableauExtractRefreshInput,
  type TableauRefreshReport,
} from '../domain/tableau';
import { countRun } from './shared/runMetrics';
import { vendorActivities } from './shared/vendorActivities';
import { announce } from './shared/announce';
import { mapConcurrent } from './shared/mapConcurrent';
import { raiseIncident } from './openIncident';
import { tableauExtractRefreshInput } from '../domain/inputs/tableauExtractRefresh';
import { beginRun, dropUnknownSignals } from './shared/runStart';

const tableau = vendorActivities('tableau', {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
});

export interface RefreshProgress {
  total: number;
  done: number;
  running: { name: string; jobId?: string; attempt: number }[];
}

export const refreshProgressQuery = defineQuery<RefreshProgress>('progress');

const MAX_REASON_CHARS = 400;

interface JobEnd {
  state: JobState | 'timed-out' | 'live';
  jobId?: string;
  joined: boolean;
  notes?: string;
}

const clip = (text: string) =>
  text.length <= MAX_REASON_CHARS ? text : `${text.slice(0, MAX_REASON_CHARS - 1)}…`;

export async function tableauExtractRefresh(raw: TableauExtractRefreshInput): Promise<TableauRefreshReport> {
  const input = beginRun(tableauExtractRefreshInput, raw, (i) => ({
    connector: 'tableau',
    details: `Refresh of the Tableau extracts (${i.reason}); a schema error is repaired once; one summary with failures and owners.`,
  }));
  const limits = { ...REFRESH_DEFAULTS, ...input };
  limits.maxConcurrent = Math.floor(limits.maxConcurrent);
  const progress: RefreshProgress = { total: 0, done: 0, running: [] };
  setHandler(refreshProgressQuery, () => progress);
  dropUnknownSignals();

  const site = await tableau.tableauSignIn();
  const selected = await tableau.tableauFindDataSources(input.datasources ?? {});
  progress.total = selected.length;

  /** One refresh job from request to end: started or joined, polled until done or out of time. */
  async function runJob(ds: DataSourceRef, attempt: number): Promise<JobEnd> {
    const start = await tableau.tableauStartRefresh({ id: ds.id, name: ds.name });
    if (start.kind === 'live') return { state: 'live', joined: false, notes: start.detail };
    const { jobId } = start;
    const joined = start.kind === 'joined';
    const lane = { name: ds.name, jobId, attempt };
    progress.running.push(lane);
    try {
      const deadline = Date.now() + limits.jobTimeoutMinutes * 60_000;
      for (let poll = 0; ; poll++) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          try {
            await tableau.tableauCancelJob(jobId);
          } catch (err) {
            log.warn('could not cancel the timed-out job', { jobId, error: String(err) });
          }
          return { state: 'timed-out', jobId, joined };
        }
        await sleep(
          Math.min(
            pollDelaySeconds(poll, limits.pollInitialSeconds, limits.pollMaxSeconds) * 1000,
            remaining,
          ),
        );
        const status = await tableau.tableauJobStatus(jobId);
        if (status.state !== 'running') return { state: status.state, jobId, joined, notes: status.notes };
      }
    } finally {
      progress.running = progress.running.filter((r) => r !== lane);
    }
  }

  async function refreshOne(ds: DataSourceRef): Promise<DataSourceResult> {
    const base = { datasourceId: ds.id, name: ds.name, project: ds.project };
    if (!ds.hasExtracts)
      return {
        ...base,
        outcome: 'skipped',
        attempts: 0,
        durationSeconds: 0,
        reason: 'live connection: no extract',
      };
    const startedAt = Date.now();
    const seconds = () => Math.round((Date.now() - startedAt) / 1000);
    let attempts = 0;
    let repairedConnections: number | undefined;
    let joinedQueuedJob = false;
    try {
      let end = await runJob(ds, ++attempts);
      joinedQueuedJob = end.joined;
      if (end.state === 'failed' && classifyFailure(end.notes) === 'schema') {
        log.info('schema error: updating the connection and refreshing once more', { datasource: ds.name });
        repairedConnections = (await tableau.tableauUpdateConnections(ds.id)).updated;
        end = await runJob(ds, ++attempts);
      }
      const result: DataSourceResult = {
        ...base,
        jobId: end.jobId,
        attempts,
        durationSeconds: seconds(),
        outcome: 'succeeded',
        ...(joinedQueuedJob ? { joinedQueuedJob } : {}),
        ...(repairedConnections !== undefined ? { repairedConnections } : {}),
      };
      switch (end.state) {
        case 'succeeded':
          return result;
        case 'live':
          return { ...result, outcome: 'skipped', attempts: 0, reason: clip(end.notes ?? 'live connection') };
        case 'cancelled':
          return { ...result, outcome: 'cancelled', reason: clip(end.notes ?? 'cancelled on the server') };
        case 'timed-out':
          return {
            ...result,
            outcome: 'timed-out',
            reason: `no result within ${limits.jobTimeoutMinutes} minutes; the job was cancelled`,
          };
        default: {
          const notes = end.notes ?? 'the job failed without notes';
          const prefix =
            repairedConnections !== undefined ? 'schema error persists after the connection update: ' : '';
          return { ...result, outcome: 'failed', reason: clip(prefix + notes) };
        }
      }
    } catch (err) {
      // An activity that exhausted its retries (vendor down, throttled for too long, rejected).
      return {
        ...base,
        outcome: 'error',
        attempts,
        durationSeconds: seconds(),
        reason: clip(
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
        ),
      };
    } finally {
      progress.done += 1;
    }
  }

  const results: DataSourceResult[] = new Array<DataSourceResult>(selected.length);
  await mapConcurrent(selected, limits.maxConcurrent, async (ds, index) => {
    results[index] = await refreshOne(ds);
  });

  for (const r of results) {
    if (!isProblem(r.outcome)) continue;
    const ownerId = selected.find((d) => d.id === r.datasourceId)?.ownerId;
    if (!ownerId) continue;
    try {
      r.owner = await tableau.tableauOwner(ownerId);
    } catch {
      r.owner = `user ${ownerId}`;
    }
  }

  const counts = countOutcomes(results);
  const draft = {
    reason: input.reason,
    site: site.contentUrl || 'Default',
    counts,
    datasources: results,
    ...(input.drift
      ? { drift: { source: input.drift.source ?? 'upstream', newFields: [...input.drift.newFields] } }
      : {}),
  };
  const notified = await announce(refreshAlert(draft, workflowInfo().workflowId));
  for (const r of results) countRun('tableau', 'tableauExtractRefresh', r.outcome);
  const incidents = await raiseIncidents(results);
  return {
    ...draft,
    incidents,
    status: results.some((r) => isProblem(r.outcome)) ? 'failed' : 'ok',
    notified,
  };
}

const incidentsApi = vendorActivities('servicenow', {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

/**
 * One ServiceNow incident per failed data source, keyed by the data source (a later failure updates
 * the same incident). Best effort: without ServiceNow, or while it is down, the alert above stands.
 */
async function raiseIncidents(results: DataSourceResult[]): Promise<string[]> {
  const numbers: string[] = [];
  for (const r of results.filter((x) => isProblem(x.outcome))) {
    // The Slack/Teams alert already went out; an incident ServiceNow would not take is dead-lettered.
    const ref = await raiseIncident(
      {
        sourceSystem: 'tableau',
        sourceId: r.datasourceId,
        title: `Tableau extract refresh ${r.outcome}: ${r.name}`,
        description: `${r.reason ?? 'no reason given'}${r.owner ? `\nOwner: ${r.owner}` : ''}${r.jobId ? `\nJob: ${r.jobId}` : ''}`,
        severity: 'high',
        category: 'software',
      },
      incidentsApi,
    );
    if (ref) numbers.push(ref.number);
  }
  return numbers;
}
