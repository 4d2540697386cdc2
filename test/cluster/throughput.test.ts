// The same 100,000-row Workday import with two worker processes on the cluster (PostgreSQL) and on
// the dev server (SQLite), one after the other in one run: the rows/s docs/deployment.md compares.
// Both must import every valid row; the figures are printed and written to data/figures/.
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import type { Client } from '@temporalio/client';
import { dataConverterFromEnv } from '../../src/codec/dataConverter';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workdayEmployeeImport } from '../../src/workflows';
import { devServer } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { BATCH, ROWS, freshImport, writeFigures } from './workdayExport';
import { testCluster, type TestCluster } from './sharedCluster';

describe('cluster: 100k Workday import rows/s, cluster against dev server', () => {
  let t: TestCluster;
  let dev: TestWorkflowEnvironment | undefined;
  const devWorkers: WorkerProcess[] = [];

  before(async () => {
    t = await testCluster();
  });
  after(async () => {
    for (const w of devWorkers) await w.stop();
    await dev?.teardown();
  });

  async function timedImport(client: Client, taskQueue: string, label: string): Promise<number> {
    const seeded = await freshImport(t.sims.sims);
    const started = Date.now();
    const report = await client.workflow.execute(workdayEmployeeImport, {
      taskQueue,
      workflowId: `throughput-${label}-${started}`,
      args: [{ mode: 'full', batchSize: BATCH, refreshTableauOnDrift: false }],
    });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(report.outcome, 'completed', label);
    assert.equal(report.valid, ROWS - seeded.invalidRows.length, label);
    return seconds;
  }

  it('imports all rows on both and reports rows/s for each', async () => {
    const cluster = await timedImport(t.cluster.client, t.cluster.taskQueue, 'cluster');
    // The cluster's workers encrypt with the cluster's ring: the dev server's client reads with it too.
    dev = await devServer({ dataConverter: dataConverterFromEnv(t.cluster.workerEnv(0)) });
    const taskQueue = 'throughput-dev';
    for (const index of [0, 1]) {
      devWorkers.push(
        startWorkerProcess({
          ...t.cluster.workerEnv(index),
          TEMPORAL_ADDRESS: dev.address,
          TASK_QUEUE: taskQueue,
          METRICS_PORT: '0',
        }),
      );
    }
    const devSeconds = await timedImport(dev.client, taskQueue, 'dev-server');
    writeFigures('cluster-throughput', {
      rows: ROWS,
      cluster: { seconds: cluster, rowsPerSecond: Math.round(ROWS / cluster) },
      devServer: { seconds: devSeconds, rowsPerSecond: Math.round(ROWS / devSeconds) },
      loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
    });
  });
});
