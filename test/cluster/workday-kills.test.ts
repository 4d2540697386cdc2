// The 100,000-row Workday import on the production topology (PostgreSQL, the Temporal server, two
// worker processes) while it is hurt: the worker running the current batch SIGKILLed three times
// (and started again), then the Temporal server SIGKILLed once and started again on its database.
// ERPNext must end with every valid employee exactly once, at most one batch per lane sent again per kill,
// and the run completes. Prints the figures docs/deployment.md quotes: rows/s and what each kill cost
// (from the kill to the next batch completed).
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { workdayEmployeeImport } from '../../src/workflows';
import { importProgressQuery } from '../../src/workflows/workdayEmployeeImport';
import { admin, erpnextEmployees } from '../helpers/simulators';
import { waitFor } from '../helpers/waitFor';
import { testCluster, type TestCluster } from './sharedCluster';
import { BATCH, FIRST_ID, ROWS, freshImport, writeFigures } from './workdayExport';
import { DEFAULT_BATCH_LANES } from '../../src/workflows/workdayImport/batchLanes';

const INSERT_PATH = '/api/method/frappe.client.insert_many';
const INSERT_CHUNK = 200; // frappe.client.insert_many's limit
const KILL_AT_BATCHES = [10, 30, 50];
const SERVER_KILL_AT_BATCHES = 70;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** Every event of a continue-as-new chain. */
async function chainEvents(client: Client, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for (let next: string | undefined = runId; next;) {
    const history = await client.workflow.getHandle(workflowId, next).fetchHistory();
    events.push(...(history.events ?? []));
    next =
      history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return events;
}

/** Batches at once (the import's default): a kill interrupts at most one batch per lane. */
const LANES = DEFAULT_BATCH_LANES;

describe('cluster: 100k Workday import through worker and server kills', () => {
  let t: TestCluster;
  let caPem: string;

  before(async () => {
    t = await testCluster();
  });

  const employeeNumbers = async (url: string) =>
    (await erpnextEmployees<{ employee_number: string }>(url, caPem, ['employee_number'])).map(
      (e) => e.employee_number,
    );

  it('imports every valid employee exactly once, at most one batch per lane again per kill, and completes', async () => {
    const { cluster, sims } = t;
    const { erpnext, erpnextEu } = sims.sims;
    const seeded = await freshImport(sims.sims);
    caPem = seeded.caPem;

    const client = cluster.client;
    const started = Date.now();
    const handle = await client.workflow.start(workdayEmployeeImport, {
      taskQueue: cluster.taskQueue,
      workflowId: `cluster-workday-kills-${started}`,
      args: [
        {
          mode: 'full',
          batchSize: BATCH,
          batchLanes: LANES,
          refreshTableauOnDrift: false,
          heartbeatTimeout: '5 seconds',
        },
      ],
    });
    const batches = async () => (await handle.query(importProgressQuery)).batches;
    const batchesAtLeast = (n: number, what: string, timeoutMs = 300_000) =>
      waitFor(what, async () => ((await batches()) >= n ? true : undefined), timeoutMs);

    // The batch in flight and the worker (pid@host) that runs it.
    const inFlight = () =>
      waitFor('a batch running on a worker', async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const batch = pending.find(
          (a) => a.activityType?.name === 'workdayImportBatch' && a.lastWorkerIdentity,
        );
        return batch ? { identity: batch.lastWorkerIdentity!, attempt: batch.attempt ?? 1 } : undefined;
      });

    const killCosts: { what: string; seconds: number }[] = [];
    const costOf = async (what: string, killedAt: number, batchesAtKill: number) => {
      await batchesAtLeast(batchesAtKill + 1, `a batch completed after the ${what}`);
      killCosts.push({ what, seconds: (Date.now() - killedAt) / 1000 });
    };

    for (const [i, at] of KILL_AT_BATCHES.entries()) {
      await batchesAtLeast(at, `${at} batches`);
      const { identity } = await inFlight();
      const index = cluster.workers.findIndex((w) => identity.startsWith(`${w.child.pid}@`));
      assert.ok(index >= 0, `the batch runs on ${identity}, none of the cluster's workers`);
      const atKill = await batches();
      await cluster.workers[index]!.stop('SIGKILL');
      const killedAt = Date.now();
      // Deployments restart a dead worker; the survivor takes the batch once its heartbeat times out.
      const restarted = cluster.startWorker(index);
      await costOf(`worker kill ${i + 1}`, killedAt, atKill);
      await restarted;
    }

    await batchesAtLeast(SERVER_KILL_AT_BATCHES, `${SERVER_KILL_AT_BATCHES} batches`);
    const atServerKill = await batches();
    await cluster.server.process.stop('SIGKILL');
    const serverKilledAt = Date.now();
    await cluster.server.restart();
    await costOf('server kill', serverKilledAt, atServerKill);

    const report = await handle.result();
    const seconds = (Date.now() - started) / 1000;
    const figures = {
      rows: ROWS,
      seconds,
      rowsPerSecond: Math.round(ROWS / seconds),
      killCosts,
      loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
    };
    writeFigures('cluster-kills', figures);
    assert.equal(report.outcome, 'completed');
    assert.equal(report.read, ROWS);
    assert.equal(report.valid, ROWS - seeded.invalidRows.length);
    assert.equal(report.invalid, seeded.invalidRows.length);

    // Exactly the valid employees, each once, in their region (other runs' employees aside).
    const ours = (ids: string[]) => ids.filter((id) => Number(id.slice(1)) >= FIRST_ID);
    for (const [name, url, valid] of [
      ['US', erpnext.url, seeded.validIds.us],
      ['EU', erpnextEu.url, seeded.validIds.eu],
    ] as const) {
      const held = await employeeNumbers(url);
      assert.equal(new Set(held).size, held.length, `${name}: an employee_number twice`);
      assert.deepEqual(ours(held).sort(), [...valid].sort(), `${name}: not exactly the valid employees`);
    }

    // At most one batch per lane sent again per kill (the killed worker may hold both lanes' batches):
    // batch attempts after the first, across the whole chain.
    const kills = killCosts.length;
    const events = await chainEvents(client, handle.workflowId, handle.firstExecutionRunId);
    const batchScheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'workdayImportBatch')
        .map((e) => String(e.eventId)),
    );
    const again = events.filter(
      (e) =>
        batchScheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) &&
        (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
    ).length;
    assert.ok(again <= kills * LANES, `${again} batches ran again for ${kills} kills and ${LANES} lanes`);
    // And ERPNext saw at most that many batches' inserts again (insert_many takes 200 documents).
    for (const [name, url, ids] of [
      ['US', erpnext.url, seeded.validIds.us],
      ['EU', erpnextEu.url, seeded.validIds.eu],
    ] as const) {
      const log = (await admin(url, 'requests', undefined, caPem)) as { method: string; path: string }[];
      const inserts = log.filter((r) => r.method === 'POST' && r.path === INSERT_PATH).length;
      const perBatch = new Map<number, number>();
      for (const id of ids) {
        const batch = Math.floor((Number(id.slice(1)) - FIRST_ID) / BATCH);
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      }
      const calls = [...perBatch.values()].map((n) => Math.ceil(n / INSERT_CHUNK));
      const once = calls.reduce((a, b) => a + b, 0);
      const allowed = once + kills * LANES * Math.max(...calls);
      assert.ok(inserts >= once && inserts <= allowed, `${name}: ${inserts} inserts, ${once} without kills`);
    }
  });
});
