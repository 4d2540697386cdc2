// deadLetterQueue: one long-lived workflow per connector (id `dlq-<connector>`) holding what its
// workflows could not process. Producers signal `add`; operators list (`items`), inspect (`item`)
// and redrive (`redrive`, an update for the CLI and a signal for the Web UI) with the worker's
// current code. Items expire on a durable timer and the expiry is announced; the history stays
// bounded by continuing as new with the items once enough handlers ran or the server suggests it.
import { ActivityFailure, type Duration } from '@temporalio/common';
import { durationMs } from '../domain/duration';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  deadLetterErrorOf,
  deadLetterId,
  matchesFilter,
  mergeDeadLetter,
  nextExpiry,
  recordRedriveFailure,
  redriveRequestProblem,
  selectForRedrive,
  summarize,
  type DeadLetterFilter,
  type DeadLetterInput,
  type DeadLetterItem,
  type DeadLetterItemSummary,
  type DeadLetterQueueSummary,
  type RecentAction,
  type RedriveRequest,
  type RedriveResult,
} from '../domain/deadLetter';
import { addDeadLettersArgs, deadLetterQueueInput, redriveArgs } from '../domain/inputs/deadLetterQueue';
import { refusal } from '../domain/inputs/parse';
import { announce } from './shared/announce';
import { mapConcurrent } from './shared/mapConcurrent';
import { BesideTheLadder, failureMessage } from './shared/besideTheLadder';
import { signalArg, updateArgValidator } from './shared/messageArgs';
import { askBreaker, breakerOpenFailure, outageConnector, reportOutcome } from './shared/breakerGate';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { redriveAction } from '../domain/alertActions';

export const DEFAULT_DLQ_RETENTION: Duration = '7 days';
const DEFAULT_CONTINUE_AS_NEW_AFTER = 500;
const REDRIVE_CONCURRENCY = 10;
const MAX_RECENT = 20;
/**
 * Items travel in continue-as-new's input, which must stay well under Temporal's 2 MiB payload
 * limit: past this budget new items are dropped, counted and announced (never silently lost).
 */
const DEFAULT_MAX_QUEUE_BYTES = 1_500_000;

export interface DeadLetterQueueInput {
  connector: string;
  /** How long an item stays after its latest failure (default 7 days; worker config DLQ_RETENTION). */
  retention?: Duration;
  /** Continue as new after this many handled signals and updates (default 500). */
  continueAsNewAfter?: number;
  /** Serialized size the queue's items may take (default 1.5 MB); new items beyond it are dropped. */
  maxQueueBytes?: number;
  /** Carried over continue-as-new. */
  items?: DeadLetterItem[];
  expiredTotal?: number;
  redrivenTotal?: number;
  recent?: RecentAction[];
}

export const addDeadLetters = defineSignal<[DeadLetterInput[]]>('add');
export const deadLetterItems = defineQuery<DeadLetterItemSummary[], [DeadLetterFilter?]>('items');
export const deadLetterItem = defineQuery<DeadLetterItem | null, [string]>('item');
export const deadLetterSummary = defineQuery<DeadLetterQueueSummary>('summary');
export const redriveUpdate = defineUpdate<RedriveResult, [RedriveRequest]>('redrive');
export const redriveSignal = defineSignal<[RedriveRequest]>('redrive');

const { redriveDeadLetter } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
});

export async function deadLetterQueue(raw: DeadLetterQueueInput): Promise<void> {
  const input = beginRun(deadLetterQueueInput, raw, (i) => ({
    connector: i.connector,
    details: queueDetails(i.connector, i.items?.length ?? 0),
  })) as DeadLetterQueueInput;
  const { connector } = input;
  const retentionMs = durationMs(input.retention ?? DEFAULT_DLQ_RETENTION);
  const limit = input.continueAsNewAfter ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const items = new Map((input.items ?? []).map((i) => [i.id, i]));
  const inFlight = new Set<string>();
  let expiredTotal = input.expiredTotal ?? 0;
  let redrivenTotal = input.redrivenTotal ?? 0;
  const recent = [...(input.recent ?? [])].slice(-MAX_RECENT);
  let handled = 0;
  let changed = false;
  const maxBytes = input.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  let dropped = 0;
  // Expiry alerts go out beside the loop: a chat outage (up to the 15-minute failover) never holds
  // back expiries or continue-as-new. Runs from before this change awaited them.
  const alerts = new BesideTheLadder(
    () => patched('dlq-alerts-beside-the-loop'),
    (what, err) => log.warn('dead-letter alert failed', { connector, what, error: failureMessage(err) }),
  );

  const note = (action: RecentAction['action'], count: number) => {
    if (count === 0) return;
    recent.push({ at: new Date().toISOString(), action, count });
    if (recent.length > MAX_RECENT) recent.splice(0, recent.length - MAX_RECENT);
  };

  // Redrives ask the connector's breaker first: refused (BreakerOpen) while it is open, and their
  // outage failures count towards opening it. Runs from before this gate redrive regardless.
  const gated = patched('redrive-asks-breaker');

  async function redrive(request: RedriveRequest): Promise<RedriveResult> {
    handled++;
    const permit = gated ? await askBreaker(connector, 'deadLetterQueue') : undefined;
    if (permit && !permit.granted) throw breakerOpenFailure(connector, permit);
    let outages = 0;
    const selected = selectForRedrive(items.values(), request, Date.now());
    const result: RedriveResult = { attempted: 0, succeeded: 0, failed: 0, results: [] };
    const queue = selected.filter((item) => {
      if (!inFlight.has(item.id)) return true;
      result.results.push({ id: item.id, outcome: 'skipped', error: 'a redrive of this item is running' });
      return false;
    });
    for (const item of queue) inFlight.add(item.id);
    await mapConcurrent(queue, REDRIVE_CONCURRENCY, async (item) => {
      result.attempted++;
      try {
        await redriveDeadLetter(item);
        const now = items.get(item.id);
        // A producer that failed the record again meanwhile keeps its new failure in the queue.
        if (now && now.lastFailedAt === item.lastFailedAt) items.delete(item.id);
        result.succeeded++;
        result.results.push({ id: item.id, outcome: 'succeeded' });
      } catch (err) {
        // The activity's own failure, without Temporal's "activity task failed" wrapper.
        const error = deadLetterErrorOf(err instanceof ActivityFailure ? (err.cause ?? err) : err);
        if (permit && outageConnector(err, connector) !== undefined) outages++;
        const now = items.get(item.id) ?? item;
        items.set(item.id, recordRedriveFailure(now, error, Date.now(), retentionMs));
        result.failed++;
        result.results.push({ id: item.id, outcome: 'failed', error: `${error.type}: ${error.message}` });
      } finally {
        inFlight.delete(item.id);
      }
    });
    if (permit?.granted && (outages > 0 || (permit.probe && result.succeeded > 0)))
      await reportOutcome(connector, 'deadLetterQueue', outages === 0, `${outages} redrive(s) failed`);
    redrivenTotal += result.succeeded;
    note('redrive-succeeded', result.succeeded);
    note('redrive-failed', result.failed);
    changed = true;
    log.info('dead letters redriven', {
      connector,
      attempted: result.attempted,
      succeeded: result.succeeded,
      failed: result.failed,
    });
    return result;
  }

  setHandler(addDeadLetters, (rawInputs) => {
    handled++;
    const inputs = signalArg(addDeadLettersArgs, rawInputs, 'add') as DeadLetterInput[] | undefined;
    const now = Date.now();
    let total = JSON.stringify([...items.values()]).length;
    let added = 0;
    for (const i of inputs ?? []) {
      const before = items.get(i.id ?? deadLetterId(i.kind, i.key));
      const item = mergeDeadLetter(items, { ...i, connector: i.connector || connector }, now, retentionMs);
      const grows = JSON.stringify(item).length - (before ? JSON.stringify(before).length : 0);
      if (!before && total + grows > maxBytes) {
        items.delete(item.id);
        dropped++;
        continue;
      }
      total += grows;
      added++;
    }
    note('added', added);
    note('dropped', (inputs?.length ?? 0) - added);
    changed = true;
  });
  const checkRedrive = updateArgValidator(redriveArgs, 'redrive');
  setHandler(redriveUpdate, redrive, {
    validator: (request) => {
      checkRedrive(request);
      const problem = redriveRequestProblem(request);
      if (problem) throw refusal(problem);
    },
  });
  setHandler(redriveSignal, async (rawRequest) => {
    const request = signalArg(redriveArgs, rawRequest, 'redrive');
    if (!request) return;
    const problem = redriveRequestProblem(request);
    if (problem) {
      log.warn('redrive signal refused', { connector, problem });
      return;
    }
    // A refusal from a signal has nobody to answer: logged, never failing the queue.
    await redrive(request).catch((err: unknown) =>
      log.warn('redrive signal refused', { connector, problem: failureMessage(err) }),
    );
  });
  setHandler(deadLetterItems, (filter) =>
    [...items.values()].filter((i) => matchesFilter(i, filter, Date.now())).map(summarize),
  );
  setHandler(deadLetterItem, (id) => items.get(id) ?? null);
  setHandler(deadLetterSummary, () => {
    let oldest: string | undefined;
    for (const i of items.values()) if (!oldest || i.firstFailedAt < oldest) oldest = i.firstFailedAt;
    return {
      connector,
      count: items.size,
      oldestFirstFailedAt: oldest,
      expiredTotal,
      redrivenTotal,
      recent: [...recent],
    };
  });
  dropUnknownSignals();

  /** Removes expired items (never one being redriven) and announces them once per sweep. */
  async function sweep(): Promise<void> {
    if (dropped > 0) {
      const count = dropped;
      dropped = 0;
      await alerts.run('queue full', () =>
        announce({
          title: `Dead-letter queue full: ${connector}`,
          severity: 'critical',
          summary: `${count} failed item(s) of ${connector} were dropped: the queue is at its size limit. Redrive or let items expire.`,
          facts: [{ name: 'Queued', value: String(items.size) }],
          connector,
          actions: [redriveAction(workflowInfo().workflowId, connector)],
        }),
      );
    }
    const now = Date.now();
    const expired = [...items.values()].filter((i) => !inFlight.has(i.id) && Date.parse(i.expiresAt) <= now);
    if (expired.length === 0) return;
    for (const i of expired) items.delete(i.id);
    expiredTotal += expired.length;
    note('expired', expired.length);
    const byType = new Map<string, number>();
    for (const i of expired) {
      const k = `${i.kind} / ${i.error.type}`;
      byType.set(k, (byType.get(k) ?? 0) + 1);
    }
    await alerts.run('expired', () =>
      announce({
        title: `Dead letters expired: ${connector}`,
        severity: 'warning',
        summary: `${expired.length} dead-letter item(s) of ${connector} expired without a successful redrive and were removed.`,
        facts: [
          ...[...byType].slice(0, 8).map(([name, count]) => ({ name, value: String(count) })),
          { name: 'Still queued', value: String(items.size) },
        ],
        connector,
      }),
    );
  }

  const shouldContinue = () => handled >= limit || workflowInfo().continueAsNewSuggested;
  for (;;) {
    const next = nextExpiry([...items.values()].filter((i) => !inFlight.has(i.id)));
    const wake = () => changed || dropped > 0 || shouldContinue();
    if (next === undefined) await condition(wake);
    else await condition(wake, Math.max(1, next - Date.now()));
    changed = false;
    await sweep();
    setCurrentDetails(queueDetails(connector, items.size));
    if (shouldContinue()) {
      await condition(allHandlersFinished);
      await alerts.drain();
      await continueAsNew<typeof deadLetterQueue>({
        connector,
        retention: input.retention,
        continueAsNewAfter: input.continueAsNewAfter,
        maxQueueBytes: input.maxQueueBytes,
        items: [...items.values()],
        expiredTotal,
        redrivenTotal,
        recent,
      });
    }
  }
}

function queueDetails(connector: string, count: number): string {
  return `Dead-letter queue of ${connector}: ${count} item(s) waiting for a redrive (update \`redrive\` with ids or a filter).`;
}
