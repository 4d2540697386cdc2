// Delta mode of the Workday import: Get_Workers over SOAP for the transaction-log window from the
// last successful delta to this run's start, every page pinned to the same as-of moment. The
// window's start is durable: an explicit `since`, else the schedule's previous result, else the
// newest completed delta found in Temporal's visibility, else the last 24 hours.
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../../activities';
import { batchActivities } from './fullImport';
import type { WorkdayImportReport } from './report';
import type { Region } from '../../domain/employee';

/** Where a delta import stands; carried over continue-as-new. */
export interface DeltaProgress {
  from: string;
  through: string;
  asOf: string;
  nextPage: number;
  totalPages?: number;
}

const FIRST_DELTA_LOOKBACK_MS = 24 * 60 * 60 * 1000;

const lookup = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function startDelta(since: string | undefined): Promise<DeltaProgress> {
  if (since !== undefined && Number.isNaN(Date.parse(since)))
    throw ApplicationFailure.nonRetryable(
      `input.since must be an ISO date-time such as "2026-11-25T08:00:00Z", got ${JSON.stringify(since)}`,
      'InvalidInput',
    );
  const now = new Date().toISOString();
  const previous = workflowInfo().lastResult as WorkdayImportReport | undefined;
  const from =
    (since && new Date(since).toISOString()) ??
    previous?.delta?.through ??
    (await lookup.workdayLastDeltaCursor()) ??
    new Date(Date.now() - FIRST_DELTA_LOOKBACK_MS).toISOString();
  return { from, through: now, asOf: now, nextPage: 1 };
}

/** One page of the window; advances `progress` in place. */
export async function importNextPage(
  progress: DeltaProgress,
  heartbeatTimeout?: Duration,
  deferRegions: Region[] = [],
) {
  const page = await batchActivities(heartbeatTimeout).workdayDeltaPage({
    updatedFrom: progress.from,
    updatedThrough: progress.through,
    asOf: progress.asOf,
    page: progress.nextPage,
    ...(deferRegions.length > 0 && { deferRegions }),
  });
  progress.totalPages = page.totalPages;
  progress.nextPage = page.page + 1;
  return page;
}

export function deltaDone(progress: DeltaProgress): boolean {
  return progress.totalPages !== undefined && progress.nextPage > progress.totalPages;
}
