// Each budgeted vendor's limits come from the connector table, and reach its Worker's options:
// the rate as Temporal's server-side task queue limit, the concurrency as a per-worker cap. The
// pacer that spends each worker's share of a rate evenly is tested here too.
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { vendorWorkerOptions } from '../../src/workerGroup';
import { RequestPacer } from '../../src/pacing/requestPacer';

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
      // A rate-budgeted queue's workers hold few tasks (2..10), so no worker hoards the backlog.
      'prod-vendor-servicenow': { rate: 2, concurrency: 2 },
      'prod-vendor-tableau': { rate: undefined, concurrency: 4 },
      'prod-vendor-slack': { rate: 0.5, concurrency: 2 },
      'prod-vendor-teams': { rate: 4, concurrency: 4 },
    });
  });

  it('releases paced callers one interval apart, even after the event loop stalled', async () => {
    const pacer = new RequestPacer(100);
    const released: number[] = [];
    const takes = Array.from({ length: 4 }, () => pacer.take().then(() => released.push(performance.now())));
    const stallUntil = performance.now() + 350; // longer than three intervals: every timer is overdue
    while (performance.now() < stallUntil);
    await Promise.all(takes);
    const gaps = released.slice(1).map((t, i) => t - released[i]!);
    assert.ok(
      gaps.every((gap) => gap >= 99),
      `gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`,
    );
  });

  it("recomputes a worker's share while callers wait", async () => {
    let workers = 1;
    const pacer = new RequestPacer(() => 50 * workers);
    await pacer.take();
    const started = performance.now();
    const second = pacer.take();
    workers = 4; // another three workers joined: this one's share is a quarter
    await second;
    assert.ok(performance.now() - started >= 195, 'waited the new, longer interval');
  });
});
