// Vendors whose calls run on a task queue of their own: Temporal's server-side rate limit on that
// queue keeps the vendor's budget however many workers poll it. Deterministic: workflows import it.
export const BUDGETED_VENDORS = ['servicenow', 'tableau', 'slack', 'teams'] as const;
export type BudgetedVendor = (typeof BUDGETED_VENDORS)[number];

/** The vendor's queue beside a deployment's task queue: `integrations` → `integrations-vendor-slack`. */
export function vendorTaskQueue(taskQueue: string, vendor: BudgetedVendor): string {
  return `${taskQueue}-vendor-${vendor}`;
}
