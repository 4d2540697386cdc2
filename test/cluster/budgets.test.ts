// The global vendor budget on the production topology: two more worker processes against the
// cluster's Temporal server (PostgreSQL) share a ServiceNow budget of 10 requests/s, and every
// second at the simulator stays within it. The cluster's schedules are paused meanwhile, so that
// only this test's requests reach the shared ServiceNow simulator.
import { BUDGET_PER_SECOND, checkBudgetAcrossTwoWorkers } from '../helpers/vendorBudget';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { testCluster, type TestCluster } from './sharedCluster';

describe('cluster: a vendor budget across two worker processes', () => {
  let t: TestCluster;
  const workers: WorkerProcess[] = [];
  const paused: string[] = [];

  before(async () => {
    t = await testCluster();
    for await (const schedule of t.cluster.client.schedule.list()) {
      if (schedule.state.paused) continue;
      await t.cluster.client.schedule.getHandle(schedule.scheduleId).pause('cluster budget test');
      paused.push(schedule.scheduleId);
    }
  });
  after(async () => {
    for (const worker of workers) await worker.stop();
    for (const id of paused)
      await t.cluster.client.schedule.getHandle(id).unpause('cluster budget test done');
  });

  it(`keeps ServiceNow within ${BUDGET_PER_SECOND} requests in every second, and uses at least 90% of it`, async function () {
    this.timeout(300_000);
    const taskQueue = 'cluster-budget';
    const { sims } = t.sims;
    await checkBudgetAcrossTwoWorkers({
      client: t.cluster.client,
      taskQueue,
      startWorker: (env) => {
        const worker = startWorkerProcess({
          ...(t.cluster.workerEnv(0) as Record<string, string>),
          TASK_QUEUE: taskQueue,
          METRICS_PORT: '0',
          ...env,
        });
        workers.push(worker);
        return worker;
      },
      servicenow: { url: sims.servicenow.url, caPem: sims.caPem },
    });
  });
});
