// proxyActivities for a budgeted vendor: each call is scheduled on the vendor's queue beside this
// run's own task queue, where the workers' server-side rate limit holds the vendor's budget.
import {
  proxyActivities,
  workflowInfo,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { vendorTaskQueue, type BudgetedVendor } from '../../domain/vendorQueues';

type Call = (...args: unknown[]) => Promise<unknown>;

export function vendorActivities(
  vendor: BudgetedVendor,
  options: ActivityOptions,
): ActivityInterfaceFor<Activities> {
  return new Proxy({} as ActivityInterfaceFor<Activities>, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      // The queue is read at call time: module scope runs before any workflow has an info.
      return (...args: unknown[]) => {
        const taskQueue = vendorTaskQueue(workflowInfo().taskQueue, vendor);
        const activities = proxyActivities<Activities>({ ...options, taskQueue });
        return (activities[name as keyof Activities] as Call)(...args);
      };
    },
  });
}
