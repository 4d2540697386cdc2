// salesforceAccountSync: Salesforce Accounts → ERPNext Customers. One long-lived run per cluster
// (`salesforce-account-sync`) holds the (SystemModstamp, Id) cursor and syncs a round whenever it
// is woken: by an Outbound Message (update `notify` from the ingress, deduplicated by notification
// id), by the 15-minute schedule (a run under the schedule's id that only signals `wake`), or by its
// own interval. A round reads a small delta with REST keyset pages and a large one (or the first
// load) with a Bulk 2.0 query job; the cursor moves only after a page's Customers are written. A
// failed round is announced and tried again next time from the same cursor. `once` runs one round
// and returns its report.
import type { Duration } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { salesforceAccountSyncInput, salesforceNotifyArgs } from '../domain/inputs/salesforce';
import {
  ACCOUNT_SYNC_WORKFLOW_ID,
  laterCursor,
  SALESFORCE_CONNECTOR,
  type SalesforceCursor,
} from '../domain/salesforce';
import { announce } from './shared/announce';
import { updateArgValidator } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { failureMessage } from './shared/besideTheLadder';
import { poolLease } from './salesforce/pool';
import { awaitJob, sf, step, type StepContext } from './salesforce/steps';

export interface SalesforceAccountSyncInput {
  cursor?: SalesforceCursor;
  bulkThreshold?: number;
  pageSize?: number;
  bulkPageSize?: number;
  settleSeconds?: number;
  interval?: Duration;
  roundsPerRun?: number;
  seen?: string[];
  once?: boolean;
  pollInitial?: Duration;
  pollMax?: Duration;
  trigger?: 'schedule' | 'operator';
  reserve?: number;
  parkFor?: Duration;
}

export interface SyncCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  moved: number;
}

export interface SalesforceSyncReport extends SyncCounts {
  outcome: 'ok' | 'woke-sync' | 'failed';
  rounds: number;
  restPages: number;
  bulkJobs: number;
  parked: number;
  notifications: number;
  duplicateNotifications: number;
  cursor?: SalesforceCursor;
  lastError?: string;
}

export const notifyUpdate = defineUpdate<
  { duplicate: boolean },
  [{ notificationIds: string[]; accountIds: string[] }]
>('notify');
export const wakeSignal = defineSignal('wake');
export const syncStatusQuery = defineQuery<SalesforceSyncReport>('status');

const MAX_SEEN = 1_000;

export async function salesforceAccountSync(raw: SalesforceAccountSyncInput): Promise<SalesforceSyncReport> {
  const input = beginRun(salesforceAccountSyncInput, raw, () => ({
    connector: SALESFORCE_CONNECTOR,
    details:
      'Salesforce Accounts → ERPNext Customers (EU/EEA billing only to the EU site); woken by Outbound Messages and the schedule.',
  })) as SalesforceAccountSyncInput;
  const report: SalesforceSyncReport = {
    outcome: 'ok',
    rounds: 0,
    restPages: 0,
    bulkJobs: 0,
    parked: 0,
    notifications: 0,
    duplicateNotifications: 0,
    read: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    moved: 0,
    cursor: input.cursor,
  };
  if (input.trigger === 'schedule' && workflowInfo().workflowId !== ACCOUNT_SYNC_WORKFLOW_ID) {
    await sf.salesforceWakeSync();
    return { ...report, outcome: 'woke-sync' };
  }

  const seen = [...(input.seen ?? [])];
  const seenSet = new Set(seen);
  let woken = false;
  setHandler(
    notifyUpdate,
    ({ notificationIds }) => {
      const fresh = notificationIds.filter((id) => !seenSet.has(id));
      if (fresh.length === 0) {
        report.duplicateNotifications++;
        return { duplicate: true };
      }
      for (const id of fresh) {
        seenSet.add(id);
        seen.push(id);
      }
      while (seen.length > MAX_SEEN) seenSet.delete(seen.shift()!);
      report.notifications++;
      woken = true;
      return { duplicate: false };
    },
    { validator: updateArgValidator(salesforceNotifyArgs, 'notify') },
  );
  setHandler(wakeSignal, () => void (woken = true));

  const ctx: StepContext = {
    guard: { reserve: input.reserve ?? 5_000, parkFor: input.parkFor ?? '1 hour', parked: 0 },
    state: {},
    lease: poolLease(workflowInfo().workflowId),
    what: 'The Salesforce Account sync',
  };
  setHandler(syncStatusQuery, () => ({ ...report, parked: ctx.guard.parked }));
  dropUnknownSignals();
  const poll = { initial: input.pollInitial ?? '1 second', max: input.pollMax ?? '30 seconds' };
  const pageSize = input.pageSize ?? 2_000;
  const add = (counts: Omit<SyncCounts, 'read'>, read: number) => {
    report.read += read;
    report.created += counts.created;
    report.updated += counts.updated;
    report.unchanged += counts.unchanged;
    report.deleted += counts.deleted;
    report.moved += counts.moved;
  };

  async function round(): Promise<void> {
    const horizon = new Date(
      Math.floor(Date.now() / 1000) * 1000 - (input.settleSeconds ?? 5) * 1000,
    ).toISOString();
    const cursor = report.cursor;
    const size = cursor
      ? (await step(ctx, () => sf.salesforceDeltaSize({ cursor, horizon }))).count
      : Number.POSITIVE_INFINITY;
    if (size === 0) return;
    if (size > (input.bulkThreshold ?? 10_000)) {
      const { jobId } = await step(ctx, () => sf.salesforceBulkQueryStart({ cursor, horizon }));
      report.bulkJobs++;
      await awaitJob(ctx, 'query', jobId, poll);
      let locator: string | undefined;
      let last = cursor;
      do {
        const from = locator;
        const page = await step(ctx, () =>
          sf.salesforceBulkQueryPage({ jobId, locator: from, maxRecords: input.bulkPageSize ?? 10_000 }),
        );
        add(page.counts, page.read);
        last = laterCursor(last, page.cursor);
        locator = page.locator;
      } while (locator);
      // Job pages come in no guaranteed order: the cursor moves once every page is written.
      report.cursor = last;
      return;
    }
    for (;;) {
      const from = report.cursor;
      const page = await step(ctx, () => sf.salesforceSyncPage({ cursor: from, horizon, limit: pageSize }));
      report.restPages++;
      add(page.counts, page.read);
      report.cursor = page.cursor;
      if (page.read < pageSize) return;
    }
  }

  let failing = false;
  for (;;) {
    setCurrentDetails(
      `Syncing Salesforce Accounts from ${report.cursor ? `${report.cursor.systemModstamp} / ${report.cursor.id}` : 'the start (first load)'}.`,
    );
    woken = false;
    try {
      await round();
      failing = false;
      report.lastError = undefined;
    } catch (err) {
      report.lastError = failureMessage(err);
      log.warn('Salesforce Account sync round failed', { error: report.lastError });
      if (input.once) return { ...report, outcome: 'failed', parked: ctx.guard.parked };
      if (!failing)
        await announce({
          title: 'Salesforce Account sync failed',
          severity: 'critical',
          summary: `A sync round failed and will be tried again from the same cursor: ${report.lastError}`,
          connector: SALESFORCE_CONNECTOR,
        });
      failing = true;
    }
    report.rounds++;
    report.parked = ctx.guard.parked;
    if (input.once) return { ...report };
    if (report.rounds >= (input.roundsPerRun ?? 100) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof salesforceAccountSync>({
        ...input,
        cursor: report.cursor,
        seen,
        trigger: undefined,
      });
    }
    setCurrentDetails(
      `Waiting for an Outbound Message, the schedule or ${String(input.interval ?? '15 minutes')}.`,
    );
    await condition(() => woken, input.interval ?? '15 minutes');
  }
}
