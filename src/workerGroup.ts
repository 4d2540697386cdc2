// The worker process's Workers: the main one (workflows and every other activity) and one per
// budgeted vendor on that vendor's queue. The vendor's rate budget is Temporal's server-side limit
// on its queue (global across workers); its concurrency budget is a cap per worker process.
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { VendorBudgets } from './budgets';
import { BUDGETED_VENDORS, vendorTaskQueue } from './domain/vendorQueues';

/**
 * The vendor workers' options: the main worker's connection, data converter (the payload codec: a
 * vendor worker must read and write the same encrypted payloads), activities and activity interceptors.
 */
export function vendorWorkerOptions(main: WorkerOptions, budgets: VendorBudgets): WorkerOptions[] {
  return BUDGETED_VENDORS.map((vendor) => {
    const budget = budgets[vendor] ?? {};
    return {
      connection: main.connection,
      namespace: main.namespace,
      dataConverter: main.dataConverter,
      taskQueue: vendorTaskQueue(main.taskQueue, vendor),
      activities: main.activities,
      interceptors: { activity: main.interceptors?.activity ?? [] },
      ...(budget.perSecond && { maxTaskQueueActivitiesPerSecond: budget.perSecond }),
      ...(budget.perWorkerConcurrency && {
        maxConcurrentActivityTaskExecutions: budget.perWorkerConcurrency,
      }),
    };
  });
}

export async function createWorkerGroup(
  main: WorkerOptions,
  budgets: VendorBudgets = {},
): Promise<WorkerGroup> {
  const workers = [await Worker.create(main)];
  for (const options of vendorWorkerOptions(main, budgets)) workers.push(await Worker.create(options));
  return new WorkerGroup(workers);
}

/** Runs and stops its Workers together, like one Worker: when one stops or fails, all stop. */
export class WorkerGroup {
  constructor(readonly workers: readonly Worker[]) {}

  getState(): ReturnType<Worker['getState']> {
    return this.workers[0]!.getState();
  }

  shutdown(): void {
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
