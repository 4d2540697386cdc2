// Each budgeted vendor's limits come from the connector table, and reach its Worker's options:
// the rate as Temporal's server-side task queue limit, the concurrency as a per-worker cap.
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { vendorWorkerOptions } from '../../src/workerGroup';

describe('vendor budgets', () => {
  it('defaults to Slack 1/s and Teams 4/s across workers, Tableau 4 at once per worker, ServiceNow unlimited', () => {
    assert.deepEqual(loadConfig({}).budgets, {
      servicenow: { perSecond: undefined },
      slack: { perSecond: 1 },
      teams: { perSecond: 4 },
      tableau: { perWorkerConcurrency: 4 },
    });
  });

  it("puts each budget on its vendor's queue beside the deployment's task queue", () => {
    const config = loadConfig({
      TASK_QUEUE: 'prod',
      SERVICENOW_MAX_REQUESTS_PER_HOUR: '7200',
      SLACK_MAX_REQUESTS_PER_SECOND: '0.5',
    });
    const options = vendorWorkerOptions({ taskQueue: config.taskQueue, activities: {} }, config.budgets);
    const byQueue = Object.fromEntries(
      options.map((o) => [
        o.taskQueue,
        { rate: o.maxTaskQueueActivitiesPerSecond, concurrency: o.maxConcurrentActivityTaskExecutions },
      ]),
    );
    assert.deepEqual(byQueue, {
      'prod-vendor-servicenow': { rate: 2, concurrency: undefined },
      'prod-vendor-tableau': { rate: undefined, concurrency: 4 },
      'prod-vendor-slack': { rate: 0.5, concurrency: undefined },
      'prod-vendor-teams': { rate: 4, concurrency: undefined },
    });
  });
});
