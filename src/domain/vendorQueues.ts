// Vendors whose calls run on a task queue of their own: Temporal's server-side rate limit on that
// queue keeps the vendor's budget however many workers poll it. Deterministic: workflows import it.
export const BUDGETED_VENDORS = ['servicenow', 'tableau', 'slack', 'teams'] as const;
export type BudgetedVendor = (typeof BUDGETED_VENDORS)[number];

/** The vendor's queue beside a deployment's task queue: `integrations` → `integrations-vendor-slack`. */
export function vendorTaskQueue(taskQueue: string, vendor: BudgetedVendor): string {
  return `${taskQueue}-vendor-${vendor}`;
}

/**
 * Temporal server settings a vendor queue needs: one partition, so its rate limit is one bucket.
 * Split across the default four, each partition gets a quarter of the rate and the last tasks,
 * left in one partition, drain at a quarter of the budget.
 */
export const SINGLE_PARTITION = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

/** `--dynamic-config-value` arguments for a dev server (every queue: a dev server's scale). */
export function devServerPartitionArgs(): string[] {
  return Object.entries(SINGLE_PARTITION).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${value}`,
  ]);
}
