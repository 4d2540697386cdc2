// The CLI `status` command's data: per connector the last closed run, the 24 h tally from
// visibility, dead letters and breaker state by query, and (when the worker serves them) vendor
// call counts from its /metrics. Rendering is src/domain/statusTable.ts.
import type { Client } from '@temporalio/client';
import {
  breakerReadings,
  deadLetterSummaries,
  lastClosedRun,
  runsInWindow,
  UNATTRIBUTED,
} from './activities/shared/opsReadings';
import { vendorCallsFromMetrics, type StatusRow } from './domain/statusTable';
import { SCHEDULES } from './schedules';

const OUTCOME: Record<string, string> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  TERMINATED: 'terminated',
  CANCELLED: 'cancelled',
};

/** The worker's metrics, or undefined when it does not answer within two seconds. */
export async function readMetrics(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

export async function collectStatus(
  client: Client,
  now: Date,
  metricsText?: string,
): Promise<{ rows: StatusRow[]; problems: string[] }> {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const [runs, dlq, breakers] = await Promise.all([
    runsInWindow(client, since, now),
    deadLetterSummaries(client),
    breakerReadings(client),
  ]);
  // Every connector with something to show: scheduled, ran, queued dead letters, has a breaker, called a vendor.
  const connectors = new Set<string>([
    ...SCHEDULES.map((s) => s.connector),
    ...runs.tallies.keys(),
    ...dlq.results.map((d) => d.connector),
    ...breakers.results.map((b) => b.connector),
  ]);
  const calls = metricsText === undefined ? undefined : vendorCallsFromMetrics(metricsText);
  for (const connector of calls?.keys() ?? []) connectors.add(connector);
  connectors.delete(UNATTRIBUTED);
  const rows = await Promise.all(
    [...connectors].map(async (connector): Promise<StatusRow> => {
      const last = await lastClosedRun(client, connector);
      const tally = runs.tallies.get(connector);
      return {
        connector,
        lastRun: last && {
          workflowType: last.type,
          workflowId: last.workflowId,
          closedAt: (last.closeTime ?? last.startTime).toISOString(),
          outcome: OUTCOME[last.status.name] ?? last.status.name.toLowerCase(),
        },
        runs24h: { succeeded: tally?.succeeded ?? 0, failed: tally?.failed ?? 0 },
        deadLetters: dlq.results.find((d) => d.connector === connector)?.count,
        breaker: breakers.results.find((b) => b.connector === connector)?.state,
        vendorCalls: calls && (calls.get(connector) ?? { total: 0, failed: 0 }),
      };
    }),
  );
  const problems = [...dlq.errors, ...breakers.errors].map((e) => `not read: ${e}`);
  if (runs.truncated) problems.push('more runs in 24 h than scanned; rates are partial');
  return { rows, problems };
}
