// A vendor's budget holds across workers: two worker processes share ServiceNow's queue, whose
// server-side rate limit is the budget and which each worker spends at its share, and the
// simulator records when each request arrived.
import assert from 'node:assert/strict';
import { admin } from '../helpers/simulators';
import { waitFor } from '../helpers/waitFor';
import { workerProcessStack } from '../helpers/workerProcess';
import { openIncident } from '../../src/workflows';

const BUDGET_PER_SECOND = 10;
const INCIDENTS = 150;

/** The most requests inside any one-second window. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('e2e: a vendor budget across two worker processes', () => {
  const stack = workerProcessStack();

  it(`keeps ServiceNow within ${BUDGET_PER_SECOND} requests in every second, and uses at least 90% of it`, async function () {
    this.timeout(300_000); // 15 s of paced calls, on a machine other test runs share
    const taskQueue = 'budget-e2e';
    const workers = [0, 1].map(() =>
      stack.startWorker(taskQueue, {
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        SERVICENOW_MAX_REQUESTS_PER_HOUR: String(BUDGET_PER_SECOND * 3600),
      }),
    );
    // Polling first, as in production: each worker counts the other and takes half the budget.
    for (const worker of workers)
      await waitFor(
        'each worker to split the budget with the other',
        async () => worker.output().includes('budget share: servicenow split between 2 workers') || undefined,
      );
    const handles = await Promise.all(
      Array.from({ length: INCIDENTS }, (_, i) =>
        stack.env.client.workflow.start(openIncident, {
          taskQueue,
          workflowId: `budget-incident-${i}`,
          args: [
            { sourceSystem: 'budget-test', sourceId: `E${i}`, title: `event ${i}`, severity: 'low' as const },
          ],
        }),
      ),
    );
    await Promise.all(handles.map((h) => h.result()));

    const { sims } = stack.simulators;
    const { times } = (await admin(sims.servicenow.url, 'servicenow/requests', undefined, sims.caPem)) as {
      times: number[];
    };
    assert.equal(times.length, INCIDENTS, 'one import request per incident');
    const seconds = (times.at(-1)! - times[0]!) / 1000;
    const used = (times.length - 1) / (seconds * BUDGET_PER_SECOND);
    const busiest = busiestSecond(times);
    console.log(
      `      ${times.length} requests in ${seconds.toFixed(1)} s: ${(used * 100).toFixed(0)}% of the budget, busiest second ${busiest}`,
    );
    const offsets = times.map((t) => t - times[0]!).join(' ');
    assert.ok(busiest <= BUDGET_PER_SECOND, `${busiest} requests in one second; requests at ms ${offsets}`);
    assert.ok(used >= 0.9, `only ${(used * 100).toFixed(0)}% of the budget used; requests at ms ${offsets}`);

    // Both processes served the queue: the budget held across them, not inside one.
    const identities = new Set<string>();
    for (const handle of handles) {
      const history = await handle.fetchHistory();
      for (const event of history.events ?? [])
        if (event.activityTaskStartedEventAttributes?.identity)
          identities.add(event.activityTaskStartedEventAttributes.identity);
    }
    assert.equal(identities.size, 2, `activities ran on ${[...identities].join(', ')}`);
  });
});
