// The global vendor budget on the production topology: two more worker processes against the
// cluster's Temporal server (PostgreSQL) share a ServiceNow budget of 10 requests/s on a queue of
// their own, and every second at the ServiceNow simulator (a process of its own) stays within it.
import { BUDGET_PER_SECOND, checkBudgetAcrossTwoWorkers } from '../helpers/vendorBudget';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { testCluster, type TestCluster } from './sharedCluster';

describe('cluster: a vendor budget across two worker processes', () => {
  let t: TestCluster;
  const workers: WorkerProcess[] = [];

  before(async () => {
    t = await testCluster();
  });
  after(async () => {
    for (const worker of workers) await worker.stop();
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
      ca: { caFile: sims.caFile, caPem: sims.caPem },
    });
  });
});
