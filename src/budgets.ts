// Each budgeted vendor's limits, from the connector table's variables (set or not, every worker
// polls every vendor queue, so the budgets exist even for a connector that is off).
export interface VendorBudget {
  /** Calls per second across every worker: the queue's `maxTaskQueueActivitiesPerSecond`. */
  perSecond?: number;
  /** Calls at once in each worker process: the vendor worker's `maxConcurrentActivityTaskExecutions`. */
  perWorkerConcurrency?: number;
}
export type VendorBudgets = Partial<Record<'servicenow' | 'tableau' | 'slack' | 'teams', VendorBudget>>;

/** Validated (and defaulted) by the connector table's schemas before they get here. */
interface BudgetVariables {
  SERVICENOW_MAX_REQUESTS_PER_HOUR?: number;
  SLACK_MAX_REQUESTS_PER_SECOND: number;
  TEAMS_MAX_REQUESTS_PER_SECOND: number;
  TABLEAU_MAX_CONCURRENT_CALLS: number;
}

export function vendorBudgets(parsedEnv: Record<string, unknown>): VendorBudgets {
  const env = parsedEnv as unknown as BudgetVariables;
  const perHour = env.SERVICENOW_MAX_REQUESTS_PER_HOUR;
  return {
    servicenow: { perSecond: perHour && perHour / 3600 },
    slack: { perSecond: env.SLACK_MAX_REQUESTS_PER_SECOND },
    teams: { perSecond: env.TEAMS_MAX_REQUESTS_PER_SECOND },
    tableau: { perWorkerConcurrency: env.TABLEAU_MAX_CONCURRENT_CALLS },
  };
}
