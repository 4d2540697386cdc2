// The worker process's Workers: the main one (workflows and every other activity) and one per
// budgeted vendor on that vendor's queue. The vendor's rate budget is Temporal's server-side limit
// on its queue (global across workers), spent evenly by each worker's share of it (pacing/); its
// concurrency budget is a cap per worker process.
import { Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { VendorBudgets } from './budgets';
import { BUDGETED_VENDORS, vendorTaskQueue } from './domain/vendorQueues';
import { budgetSharePacer, pacedConcurrency } from './pacing/budgetShare';
import { paceVendor } from './pacing/vendorPacers';
import { watchQueueWorkers, type QueueWorkers } from './pacing/queueWorkers';

/** How often a worker counts the workers sharing a vendor's budget. */
const SHARE_REFRESH_MS = 5_000;

/**
 * The vendor workers' options: the main worker's connection, data converter (the payload codec: a
 * vendor worker must read and write the same encrypted payloads), activities and activity
 * interceptors.
 */
export function vendorWorkerOptions(main: WorkerOptions, budgets: VendorBudgets): WorkerOptions[] {
  return BUDGETED_VENDORS.map((vendor) => {
    const budget = budgets[vendor] ?? {};
    const concurrency =
      budget.perWorkerConcurrency ?? (budget.perSecond && pacedConcurrency(budget.perSecond));
    return {
      connection: main.connection,
      namespace: main.namespace,
      dataConverter: main.dataConverter,
      taskQueue: vendorTaskQueue(main.taskQueue, vendor),
      activities: main.activities,
      interceptors: { activity: main.interceptors?.activity ?? [] },
      ...(budget.perSecond && { maxTaskQueueActivitiesPerSecond: budget.perSecond }),
      ...(concurrency && { maxConcurrentActivityTaskExecutions: concurrency }),
    };
  });
}

export async function createWorkerGroup(
  main: WorkerOptions,
  budgets: VendorBudgets = {},
): Promise<WorkerGroup> {
  const workers = [await Worker.create(main)];
  for (const options of vendorWorkerOptions(main, budgets)) workers.push(await Worker.create(options));
  const watches = paceBudgetedVendors(workers[0]!, budgets);
  return new WorkerGroup(workers, () => watches.forEach((w) => w.stop()));
}

/** Paces each rate-budgeted vendor's requests at this process's share of its budget. */
function paceBudgetedVendors(main: Worker, budgets: VendorBudgets): QueueWorkers[] {
  const { connection, namespace, identity, taskQueue } = main.options;
  if (!connection) return []; // an in-process test worker on the default connection: no budgets
  const { logger } = Runtime.instance();
  return BUDGETED_VENDORS.flatMap((vendor) => {
    const perSecond = budgets[vendor]?.perSecond;
    if (!perSecond) return [];
    const vendorQueue = vendorTaskQueue(taskQueue, vendor);
    const watch = watchQueueWorkers({
      connection,
      namespace,
      taskQueue: vendorQueue,
      identity,
      everyMs: SHARE_REFRESH_MS,
      onChange: (workers) =>
        logger.info(`budget share: ${vendor} split between ${workers} workers`, {
          taskQueue: vendorQueue,
          workers,
        }),
      onError: (err) =>
        logger.warn(`budget share: could not count the workers on ${vendorQueue}`, { error: String(err) }),
    });
    paceVendor(vendor, budgetSharePacer(perSecond, watch.count));
    return [watch];
  });
}

/** Runs and stops its Workers together, like one Worker: when one stops or fails, all stop. */
export class WorkerGroup {
  constructor(
    readonly workers: readonly Worker[],
    private readonly onShutdown: () => void = () => undefined,
  ) {}

  getState(): ReturnType<Worker['getState']> {
    return this.workers[0]!.getState();
  }

  shutdown(): void {
    this.onShutdown();
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run().finally(() => this.shutdown()));
    const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs until `work` settles, then stops; a worker that fails first fails the call. */
  async runUntil<R>(work: Promise<R> | (() => Promise<R>)): Promise<R> {
    const running = this.run();
    const promise = typeof work === 'function' ? work() : work;
    const stoppedEarly = running.then(() => {
      throw new Error('the workers stopped before the awaited work ended');
    });
    stoppedEarly.catch(() => undefined); // only the race reports it
    try {
      return await Promise.race([promise, stoppedEarly]);
    } finally {
      this.shutdown();
      await running;
    }
  }
}
