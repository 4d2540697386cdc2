// Watching the workers: the worker's Prometheus endpoint carries each task queue's backlog (count
// and age of the oldest task) from Temporal's task queue statistics.
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/waitFor';
import { freePort, workerProcessStack } from '../helpers/workerProcess';
import { openIncident } from '../../src/workflows';

/** A gauge's value for one queue and task type, from Prometheus text. */
function gauge(text: string, name: string, taskQueue: string, taskType: string): number | undefined {
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        l.includes(`task_queue="${taskQueue}"`) &&
        l.includes(`task_type="${taskType}"`),
    );
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('e2e: task queue backlog in the worker metrics', () => {
  const stack = workerProcessStack();

  it('shows the calls a vendor budget holds back, and how long the oldest has waited', async () => {
    const taskQueue = 'backlog-e2e';
    const metricsPort = await freePort();
    stack.startWorker(taskQueue, {
      METRICS_PORT: String(metricsPort),
      TASK_QUEUE_STATS_EVERY: '1s',
      // One ServiceNow call every 100 seconds: the rest wait in the vendor queue.
      SERVICENOW_MAX_REQUESTS_PER_HOUR: '36',
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stack.env.client.workflow.start(openIncident, {
          taskQueue,
          workflowId: `backlog-incident-${i}`,
          args: [
            {
              sourceSystem: 'backlog-test',
              sourceId: `E${i}`,
              title: `event ${i}`,
              severity: 'low' as const,
            },
          ],
        }),
      ),
    );
    const vendorQueue = `${taskQueue}-vendor-servicenow`;
    const seen = await waitFor(
      'a backlog of held-back ServiceNow calls in the worker metrics',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        const count = gauge(text, 'integration_task_queue_backlog', vendorQueue, 'activity');
        const age = gauge(text, 'integration_task_queue_backlog_age_seconds', vendorQueue, 'activity');
        return count !== undefined && count >= 5 && age !== undefined && age > 1
          ? { count, age, text }
          : undefined;
      },
      90_000,
    );
    assert.ok(seen.count <= 12, `backlog ${seen.count} > the 12 calls made`);
    // The main queue's workflow tasks are served: no backlog there.
    assert.equal(gauge(seen.text, 'integration_task_queue_backlog', taskQueue, 'workflow'), 0);
  });
});
