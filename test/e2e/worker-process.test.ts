// The worker as operators run it: a separate process configured only by environment variables.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestSimulators } from '../helpers/simulators';
import { devServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { freePort, startWorkerProcess as startWorker } from '../helpers/workerProcess';
import { readinessCheck } from '../../src/workflows';

describe('e2e: worker process', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;

  before(async () => {
    env = await devServer();
    simulators = await startTestSimulators();
  });
  after(async () => {
    await simulators?.stop();
    await env?.teardown();
  });

  it('refuses to start with bad configuration and names every bad variable', async () => {
    const { child, output } = startWorker({ METRICS_PORT: 'x', ERPNEXT_URL: 'https://erp.example.com' });
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(output(), /METRICS_PORT/);
    assert.match(output(), /ERPNEXT_API_KEY, ERPNEXT_API_SECRET missing/);
  });

  it('serves runs and Prometheus metrics, logs JSON, and stops cleanly on SIGTERM', async () => {
    const metricsPort = await freePort();
    const taskQueue = 'worker-process-e2e';
    const { child, output } = startWorker({
      ...simulators.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
    });
    try {
      const report = await env.client.workflow.execute(readinessCheck, {
        taskQueue,
        workflowId: 'worker-process-readiness',
        args: [{}],
      });
      assert.equal(report.status, 'ok');
      const metrics = await waitFor('metrics', async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return text.includes('temporal_workflow_completed') ? text : undefined;
      });
      assert.match(metrics, /temporal_activity_execution_latency/);
      const startedLine = output()
        .split('\n')
        .find((line) => line.includes('worker started'));
      assert.ok(startedLine, `no start line in:\n${output()}`);
      assert.equal((JSON.parse(startedLine) as { taskQueue: string }).taskQueue, taskQueue);
      assert.ok(!output().includes(simulators.env.SLACK_BOT_TOKEN!), 'the Slack token leaked into logs');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, output());
  });
});
