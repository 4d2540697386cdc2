// A vendor's budget holds across workers: two worker processes share ServiceNow's queue, whose
// server-side rate limit is the budget and which each worker spends at its share, and the
// simulator records when each request arrived (test/helpers/vendorBudget.ts).
import { BUDGET_PER_SECOND, checkBudgetAcrossTwoWorkers } from '../helpers/vendorBudget';
import { workerProcessStack } from '../helpers/workerProcess';

describe('e2e: a vendor budget across two worker processes', () => {
  const stack = workerProcessStack();

  it(`keeps ServiceNow within ${BUDGET_PER_SECOND} requests in every second, and uses at least 90% of it`, async function () {
    this.timeout(300_000); // 15 s of paced calls, on a machine other test runs share
    const taskQueue = 'budget-e2e';
    const { sims } = stack.simulators;
    await checkBudgetAcrossTwoWorkers({
      client: stack.env.client,
      taskQueue,
      startWorker: (env) => stack.startWorker(taskQueue, { METRICS_PORT: '0', ...env }),
      ca: { caFile: sims.caFile, caPem: sims.caPem },
    });
  });
});
