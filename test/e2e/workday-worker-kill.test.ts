// A worker killed (SIGKILL) in the middle of a Workday full import: a second worker process picks
// the import up, and ERPNext ends with exactly the valid employees, each once, with at most one
// batch sent again. The kill lands after ERPNext committed a batch's insert but before its answer
// arrived (a fault holds the answer), the case that can duplicate records and that the worker never
// learns about. The workflow waits for a dead worker's batch as long as the batch's heartbeat
// timeout (input `heartbeatTimeout`, 1 minute by default; 5 s here). The report must still count
// those employees as created, and the audit trail must show the dead attempt's `sent` line and the
// retry's confirmation.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import type { AuditRecord } from '../../src/audit';
import type { WorkdayImportReport } from '../../src/workflows/workdayEmployeeImport';
import { importProgressQuery } from '../../src/workflows/workdayEmployeeImport';
import { admin, erpnextEmployees, startTestSimulators } from '../helpers/simulators';
import { devServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { workdayEmployeeImport } from '../../src/workflows';

const TASK_QUEUE = 'workday-worker-kill';
const WORKFLOW_ID = 'workday-import-worker-kill';
const ROWS = 20_000;
const BATCH = 200; // ≤ 200: one insert_many per batch and region
// One batch at a time: this test pins the audit trail of the one insert in flight at the kill (its
// `sent` line, then the retry's `confirmed`); two lanes at a kill are the cluster kill test's part.
const LANES = 1;
const FIRST_ID = 500001;
const INSERT_PATH = '/api/method/frappe.client.insert_many';
const UPDATE_PATH = '/api/method/frappe.client.bulk_update';

interface Recorded {
  method: string;
  path: string;
  status?: number;
}

describe('e2e: worker killed mid-import', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let quarantineDir: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    env = await devServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    quarantineDir = mkdtempSync(path.join(tmpdir(), 'quarantine-kill-'));
  });
  after(async () => {
    for (const { child } of workers) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    await simulators?.stop();
    await env?.teardown();
    if (quarantineDir) rmSync(quarantineDir, { recursive: true, force: true });
  });

  const employees = (url: string) =>
    erpnextEmployees<{ employee_number: string }>(url, caPem, ['employee_number']);

  const auditFile = () => path.join(quarantineDir, 'audit.jsonl');
  const requests = async (url: string) => (await admin(url, 'requests', undefined, caPem)) as Recorded[];
  const calls = (log: Recorded[], path: string) => log.filter((r) => r.method === 'POST' && r.path === path);

  it('ends with exactly the valid employees, each once, and at most one batch per lane sent again', async () => {
    const { erpnext, erpnextEu, sftp } = simulators.sims;
    const seeded = generateWorkdayExport({ rows: ROWS, seed: 99, invalidRate: 0.01, firstId: FIRST_ID });
    mkdirSync(path.join(sftp.rootDir, 'exports'), { recursive: true });
    writeFileSync(path.join(sftp.rootDir, 'exports', 'workers_20240401.csv'), seeded.content);

    const workerEnv = {
      ...simulators.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      WORKDAY_QUARANTINE_DIR: quarantineDir,
      AUDIT_LOG: auditFile(),
    };
    const first = startWorkerProcess(workerEnv);
    workers.push(first);
    const handle = await env.client.workflow.start(workdayEmployeeImport, {
      taskQueue: TASK_QUEUE,
      workflowId: WORKFLOW_ID,
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

    // Some batches done, then hold the next US insert in ERPNext and kill the worker while it waits.
    await waitFor(
      'three batches',
      async () => ((await handle.query(importProgressQuery)).batches >= 3 ? true : undefined),
      45_000,
    );
    const before = calls(await requests(erpnext.url), INSERT_PATH).length;
    // ERPNext commits the insert at once and holds its answer: the worker dies before it learns.
    await admin(erpnext.url, 'faults', { path: INSERT_PATH, answerLatencyMs: 1500, times: 1 }, caPem);
    await waitFor('an insert in flight', async () => {
      const inserts = calls(await requests(erpnext.url), INSERT_PATH);
      return inserts.length > before && inserts.at(-1)!.status === undefined ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const pendingAtKill = (await handle.describe()).raw.pendingActivities?.map((a) => a.activityType?.name);
    assert.ok(
      pendingAtKill?.length &&
        pendingAtKill.length <= LANES &&
        pendingAtKill.every((name) => name === 'workdayImportBatch'),
      `the kill interrupted one batch per lane at most: ${JSON.stringify(pendingAtKill)}`,
    );

    // The dead worker's batch runs again once its heartbeat times out (5 s).
    const second = startWorkerProcess(workerEnv);
    workers.push(second);
    const report = await handle.result();

    assert.equal(report.outcome, 'completed');
    assert.equal(report.read, ROWS);
    assert.equal(report.valid, ROWS - seeded.invalidRows.length);
    assert.equal(report.invalid, seeded.invalidRows.length);

    // Exactly the valid employees, each once, in their region.
    const us = (await employees(erpnext.url)).map((e) => e.employee_number);
    const eu = (await employees(erpnextEu.url)).map((e) => e.employee_number);
    assert.equal(new Set(us).size, us.length, 'an employee_number twice in the US instance');
    assert.equal(new Set(eu).size, eu.length, 'an employee_number twice in the EU instance');
    assert.deepEqual(us.sort(), [...seeded.validIds.us].sort());
    assert.deepEqual(eu.sort(), [...seeded.validIds.eu].sort());

    // The report says what happened in ERPNext: every employee created, the killed batch's too.
    const counts = (r: keyof WorkdayImportReport['regions']) => {
      const { created, updated, unchanged, failed } = report.regions[r];
      return { created, updated, unchanged, failed };
    };
    assert.deepEqual(
      { us: counts('us'), eu: counts('eu') },
      {
        us: { created: seeded.validIds.us.length, updated: 0, unchanged: 0, failed: 0 },
        eu: { created: seeded.validIds.eu.length, updated: 0, unchanged: 0, failed: 0 },
      },
    );

    // The audit trail: every employee ERPNext holds has a line saying its insert succeeded or was
    // confirmed by the retry, and no employee has two `success` lines.
    const audit = readFileSync(auditFile(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord)
      .filter((l) => l.action.startsWith('Employee.insert'));
    const ids = (lines: AuditRecord[]) => lines.flatMap((l) => l.target.split(','));
    for (const [connector, valid] of [
      ['erpnext', seeded.validIds.us],
      ['erpnext-eu', seeded.validIds.eu],
    ] as const) {
      const mine = audit.filter((l) => l.connector === connector);
      const succeeded = ids(mine.filter((l) => l.outcome === 'success'));
      assert.equal(new Set(succeeded).size, succeeded.length, `${connector}: an employee written twice`);
      const accounted = new Set([...succeeded, ...ids(mine.filter((l) => l.outcome === 'confirmed'))]);
      assert.deepEqual([...accounted].sort(), [...valid].sort(), `${connector}: writes without a line`);
    }
    // The killed attempt's insert: `sent`, no outcome; the retry (attempt 2) confirmed those rows.
    const outcomeOf = (sent: AuditRecord) =>
      audit.find(
        (l) =>
          l.outcome !== 'sent' &&
          l.runId === sent.runId &&
          l.action === sent.action &&
          l.target === sent.target &&
          l.detail?.attempt === sent.detail?.attempt,
      );
    const unanswered = audit.filter((l) => l.outcome === 'sent' && !outcomeOf(l));
    assert.ok(
      unanswered.some((l) => l.connector === 'erpnext' && l.detail?.attempt === 1),
      'the held US insert lost its answer with the killed worker',
    );
    for (const sent of unanswered) {
      const confirmed = audit.filter(
        (l) => l.connector === sent.connector && l.outcome === 'confirmed' && l.detail?.attempt === 2,
      );
      const missing = sent.target.split(',').filter((id) => !ids(confirmed).includes(id));
      assert.deepEqual(
        missing,
        [],
        `${sent.connector}: rows of the unanswered insert the retry did not confirm`,
      );
    }

    // Writes: one insert per batch and region that has new employees, plus at most one batch per lane
    // again (a kill interrupts the batches of both lanes; what they had written is not sent again).
    const batchesWith = (ids: string[]) =>
      new Set(ids.map((id) => Math.floor((Number(id.slice(1)) - FIRST_ID) / BATCH))).size;
    for (const [name, url, ids] of [
      ['US', erpnext.url, seeded.validIds.us],
      ['EU', erpnextEu.url, seeded.validIds.eu],
    ] as const) {
      const log = await requests(url);
      const inserts = calls(log, INSERT_PATH).length;
      assert.ok(
        inserts >= batchesWith(ids) && inserts <= batchesWith(ids) + LANES,
        `${name}: ${inserts} inserts for ${batchesWith(ids)} batches`,
      );
      assert.ok(calls(log, UPDATE_PATH).length <= LANES, `${name}: more batches rewritten than lanes`);
    }

    // The history shows the interrupted batch running again on the second worker.
    const history = await handle.fetchHistory();
    const scheduled = new Map(
      history
        .events!.filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name]),
    );
    const retried = history.events!.filter((e) => {
      const started = e.activityTaskStartedEventAttributes;
      return (
        started &&
        (started.attempt ?? 1) > 1 &&
        scheduled.get(String(started.scheduledEventId)) === 'workdayImportBatch'
      );
    });
    assert.ok(retried.length >= 1 && retried.length <= LANES, `${retried.length} batches ran twice`);
    for (const again of retried)
      assert.ok(
        again.activityTaskStartedEventAttributes!.lastFailure?.timeoutFailureInfo,
        'a batch ran again because the killed attempt timed out',
      );

    // The second worker, which holds an SFTP session now, still stops cleanly when asked to.
    const exited = once(second.child, 'exit') as Promise<[number | null]>;
    second.child.kill('SIGTERM');
    const [code] = await Promise.race([
      exited,
      new Promise<[string]>((r) => setTimeout(() => r(['still running after 15 s']), 15_000)),
    ]);
    assert.equal(code, 0, second.output().slice(-2000));
  });
});
