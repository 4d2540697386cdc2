// The per-connector dead-letter queue on the time-skipping server with the real activities against
// the simulators: expiry on a durable timer (announced to Slack), a bulk redrive after ERPNext
// recovers (each employee written once, read back through ERPNext's REST API), a redrive that fails
// again, continue-as-new carrying the items, and the Workday writer's refused records as producer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkerGroup } from '../../src/workerGroup';
import { Agent } from 'undici';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { sendToDeadLetter } from '../../src/activities/deadLetter';
import { deadLetterFailedEmployees } from '../../src/activities/erpnext/deadLetters';
import { createEmployeeWriter } from '../../src/activities/erpnext/writer';
import { deadLetterError, type DeadLetterInput } from '../../src/domain/deadLetter';
import type { RegionCounts } from '../../src/domain/employee';
import type { ErpnextEmployeeFields } from '../../src/domain/employeeValidation';
import { ErpnextClient } from '../../src/vendors/erpnext';
import {
  deadLetterItem,
  deadLetterItems,
  deadLetterSummary,
  redriveSignal,
  redriveUpdate,
} from '../../src/workflows/deadLetterQueue';
import type { DeadLetterQueueSummary } from '../../src/domain/deadLetter';
import { testEmployee } from '../helpers/employees';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { deadLetterQueue } from '../../src/workflows';

const DAY = 86_400_000;

function employee(n: number, status: string = 'Active'): ErpnextEmployeeFields {
  const number = `DLQ${String(n).padStart(4, '0')}`;
  return testEmployee(n, {
    employee_number: number,
    company_email: `${number.toLowerCase()}@example.com`,
    status: status as 'Active',
    custom_workday_hash: `hash-${n}-${status}`,
  });
}

describe('deadLetterQueue workflow', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let dispatcher: Agent;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let deps: ReturnType<typeof activityDepsFromConfig>;
  let run = 0;
  let taskQueue: string;

  before(async () => {
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    dispatcher = new Agent({ connect: { ca: caPem } });
  });
  after(async () => {
    await dispatcher?.close();
    await simulators?.stop();
  });
  // A fresh server per test: one test moves the clock by a week (see certificateRenewal.test.ts).
  beforeEach(async () => {
    const { slack, graph, erpnext, erpnextEu } = simulators.sims;
    for (const s of [slack, graph, erpnext, erpnextEu]) await admin(s.url, 'reset', {}, caPem);
    env = await timeSkippingServer();
    taskQueue = `dlq-${++run}`;
    deps = activityDepsFromConfig(testConfig(simulators.env));
    worker = await createTestWorker(env, { taskQueue, activities: createActivities(deps) });
    running = worker.run();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await deps?.workday?.sftp?.close();
    await env?.teardown();
  });

  const queue = (connector: string) => env.client.workflow.getHandle(`dlq-${connector}`);
  const summary = (connector: string) => queue(connector).query(deadLetterSummary);

  async function employees(): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams({ fields: '["*"]', limit_page_length: '0' });
    const response = await fetch(`${simulators.sims.erpnext.url}/api/resource/Employee?${params}`, {
      headers: { authorization: 'token sim-key:sim-secret' },
      ...({ dispatcher } as object),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { data: Record<string, unknown>[] }).data;
  }

  function employeeItems(count: number, failedAt: string): DeadLetterInput[] {
    return Array.from({ length: count }, (_, i) => ({
      connector: 'erpnext',
      kind: 'erpnext-employee',
      key: employee(i + 1).employee_number,
      payload: employee(i + 1),
      error: deadLetterError('VendorUnavailable', ['HTTP 503 from ERPNext']),
      failedAt,
      source: { workflowId: 'workday-import-test' },
    }));
  }

  it('expires items after 7 days on a durable timer and announces the expiry', async () => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    await sendToDeadLetter(env.client, taskQueue, employeeItems(3, now));
    await eventually(
      () => summary('erpnext'),
      (s) => s.count === 3,
    );

    await env.sleep(6 * DAY);
    assert.equal((await summary('erpnext')).count, 3, 'still queued after 6 days');

    await env.sleep(DAY + 60_000);
    const after = await eventually(
      () => summary('erpnext'),
      (s) => s.count === 0,
    );
    assert.equal(after.expiredTotal, 3);
    assert.deepEqual(
      after.recent.map((r) => [r.action, r.count]),
      [
        ['added', 3],
        ['expired', 3],
      ],
    );
    const posted = await eventually(
      async () =>
        (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[],
      (m) => m.some((p) => p.text.includes('Dead letters expired: erpnext')),
    );
    const notice = posted.find((p) => p.text.includes('Dead letters expired: erpnext'))!;
    assert.match(notice.text, /3 dead-letter item\(s\)/);
    assert.ok(!notice.text.includes('@example.com'), 'no personal data in the notice');
  });

  it('keeps expiring on time while chat is down and an expiry alert waits out the 15-minute failover', async () => {
    const { slack, graph } = simulators.sims;
    await admin(slack.url, 'faults', { status: 503, path: '/api/chat.postMessage' }, caPem);
    await admin(graph.url, 'faults', { status: 503, path: '/v1.0/teams' }, caPem);
    const [first, second] = employeeItems(2, new Date(await env.currentTimeMs()).toISOString());
    await sendToDeadLetter(env.client, taskQueue, [first!]);
    await eventually(
      () => summary('erpnext'),
      (s) => s.count === 1,
    );
    await env.sleep(5 * 60_000);
    await sendToDeadLetter(env.client, taskQueue, [second!]);
    await eventually(
      () => summary('erpnext'),
      (s) => s.count === 2,
    );
    // The first expiry's alert is still failing over when the second item's time comes.
    await env.sleep(7 * DAY + 60_000);
    const after = await eventually(
      () => summary('erpnext'),
      (s) => s.count === 0,
    );
    assert.deepEqual(
      after.recent.map((r) => [r.action, r.count]),
      [
        ['added', 1],
        ['added', 1],
        ['expired', 1],
        ['expired', 1],
      ],
    );
  });

  it('a bulk redrive after ERPNext recovers empties the queue and writes each employee once', async () => {
    const { erpnext } = simulators.sims;
    const now = new Date(await env.currentTimeMs()).toISOString();
    await sendToDeadLetter(env.client, taskQueue, employeeItems(100, now));
    await eventually(
      () => summary('erpnext'),
      (s) => s.count === 100,
    );
    // A producer retrying sends the same items again: still 100, with two failures each.
    await sendToDeadLetter(env.client, taskQueue, employeeItems(100, now));
    const again = await eventually(
      () => queue('erpnext').query(deadLetterItems),
      (items) => items.length === 100 && items.every((i) => i.attempts === 2),
    );
    assert.equal(again.length, 100);

    // ERPNext is still down: every redrive fails and every item stays.
    await admin(erpnext.url, 'faults', { status: 503 }, caPem);
    const failing = await queue('erpnext').executeUpdate(redriveUpdate, {
      args: [{ filter: { errorType: 'VendorUnavailable' } }],
    });
    assert.deepEqual([failing.attempted, failing.succeeded, failing.failed], [100, 0, 100]);
    assert.equal((await summary('erpnext')).count, 100);

    // ERPNext recovers: one bulk redrive by filter writes every employee.
    await fetch(`${erpnext.url}/__admin/faults`, { method: 'DELETE', ...({ dispatcher } as object) });
    assert.equal((await employees()).length, 0, 'nothing was written while ERPNext was down');
    const result = await queue('erpnext').executeUpdate(redriveUpdate, {
      args: [{ filter: { connector: 'erpnext', errorType: 'VendorUnavailable' } }],
    });
    assert.deepEqual([result.attempted, result.succeeded, result.failed], [100, 100, 0]);
    assert.ok(result.results.every((r) => r.outcome === 'succeeded'));

    const s = await summary('erpnext');
    assert.equal(s.count, 0);
    assert.equal(s.redrivenTotal, 100);
    const written = await employees();
    assert.equal(written.length, 100);
    const numbers = written.map((e) => e.employee_number);
    assert.equal(new Set(numbers).size, 100, 'each employee exactly once');
    assert.deepEqual(
      [...numbers].sort(),
      Array.from({ length: 100 }, (_, i) => employee(i + 1).employee_number),
    );

    // The validator refuses an empty selection (it would redrive everything).
    await assert.rejects(
      queue('erpnext').executeUpdate(redriveUpdate, { args: [{}] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && /empty selection/.test(String(err.cause)),
    );

    // Replay safety: the run (signals, updates, 200 concurrent redrives) replays deterministically.
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows') },
      await queue('erpnext').fetchHistory(),
      'dlq-erpnext',
    );
  });

  it('a redrive that fails again keeps the item with its attempts and history', async () => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const [item] = employeeItems(1, now);
    await sendToDeadLetter(env.client, taskQueue, [{ ...item!, payload: employee(1, 'Retired') }]);
    const [summaryOfItem] = await eventually(
      () => queue('erpnext').query(deadLetterItems),
      (items) => items.length === 1,
    );
    const id = summaryOfItem!.id;
    assert.equal(id, 'erpnext-employee:DLQ0001');

    // The payload is refused by ERPNext (status "Retired"): a non-retryable failure, kept.
    const result = await queue('erpnext').executeUpdate(redriveUpdate, {
      args: [{ ids: [id] }],
    });
    assert.deepEqual([result.attempted, result.succeeded, result.failed], [1, 0, 1]);
    assert.match(result.results[0]!.error!, /^InvalidRequest: erpnext: HTTP 417/);

    const kept = (await queue('erpnext').query(deadLetterItem, id))!;
    assert.equal(kept.attempts, 2);
    assert.equal(kept.error.type, 'InvalidRequest');
    assert.deepEqual(
      kept.history.map((h) => h.outcome),
      ['failed', 'redrive-failed'],
    );
    assert.equal(kept.firstFailedAt, now);
    assert.ok(kept.lastFailedAt >= now);
    assert.equal((kept.payload as ErpnextEmployeeFields).status, 'Retired');
    const s = await summary('erpnext');
    assert.equal(s.count, 1);
    assert.equal(s.redrivenTotal, 0);
    assert.equal(s.oldestFirstFailedAt, now);

    // The Web UI's form: the `redrive` signal; its outcome shows in the summary's recent actions.
    await queue('erpnext').signal(redriveSignal, { ids: [id] });
    const afterSignal = await eventually(
      () => summary('erpnext'),
      (v) => v.recent.filter((r) => r.action === 'redrive-failed').length === 2,
    );
    assert.equal(afterSignal.count, 1);
    assert.equal((await queue('erpnext').query(deadLetterItem, id))!.attempts, 3);
  });

  it('continues as new after N handled signals and keeps every item', async () => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const items = employeeItems(8, now);
    await env.client.workflow.signalWithStart(deadLetterQueue, {
      workflowId: 'dlq-erpnext',
      taskQueue,
      args: [{ connector: 'erpnext', continueAsNewAfter: 3 }],
      signal: 'add',
      signalArgs: [items.slice(0, 2)],
    });
    const firstRun = (await queue('erpnext').describe()).runId;
    for (let i = 2; i < 8; i += 2) await sendToDeadLetter(env.client, taskQueue, items.slice(i, i + 2));
    const s = await eventually(
      () => summary('erpnext'),
      (v: DeadLetterQueueSummary) => v.count === 8,
    );
    assert.equal(s.count, 8);
    const latest = await eventually(
      () => queue('erpnext').describe(),
      (d) => d.runId !== firstRun && d.status.name === 'RUNNING',
    );
    assert.notEqual(latest.runId, firstRun, 'a new run holds the queue');
    const listed = await queue('erpnext').query(deadLetterItems);
    assert.deepEqual(
      listed.map((i) => i.key).sort(),
      items.map((i) => i.key),
    );
    // Full items (payload, history) crossed the run boundary, not just their summaries.
    const one = (await queue('erpnext').query(deadLetterItem, listed[0]!.id))!;
    assert.ok(one.payload);
    assert.equal(one.history.length, 1);
    assert.ok(
      s.recent.filter((r) => r.action === 'added').reduce((n, r) => n + r.count, 0) >= 2,
      'recent actions carried over',
    );
  });

  it('a full queue drops new items and announces it instead of outgrowing its history', async () => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const items = employeeItems(10, now);
    const oneItem = JSON.stringify(items[0]).length;
    await env.client.workflow.signalWithStart(deadLetterQueue, {
      workflowId: 'dlq-erpnext',
      taskQueue,
      // Room for about four items (the stored item is a little larger than its input).
      args: [{ connector: 'erpnext', maxQueueBytes: oneItem * 5 }],
      signal: 'add',
      signalArgs: [items],
    });
    const s = await eventually(
      () => summary('erpnext'),
      (v) => v.recent.some((r) => r.action === 'dropped'),
    );
    const dropped = s.recent.find((r) => r.action === 'dropped')!.count;
    assert.ok(s.count >= 3 && s.count <= 5, `kept ${s.count}`);
    assert.equal(s.count + dropped, 10);
    const posted = await eventually(
      async () =>
        (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[],
      (m) => m.some((p) => p.text.includes('Dead-letter queue full: erpnext')),
    );
    assert.ok(posted.some((p) => p.text.includes(`${dropped} failed item(s)`)));
  });

  it('the Workday writer dead-letters the employees bulk_update refused', async () => {
    const client = new ErpnextClient({
      url: simulators.sims.erpnext.url,
      apiKey: 'sim-key',
      apiSecret: 'sim-secret',
      extraCaPem: caPem,
    });
    const activity = new MockActivityEnvironment(
      {
        taskQueue,
        workflowExecution: { workflowId: 'workday-import-writer', runId: 'run-1' },
      },
      { client: env.client },
    );
    const write = createEmployeeWriter({ us: client }, { onFailed: deadLetterFailedEmployees() });
    const first: RegionCounts = await activity.run(() => write('us', [employee(1), employee(2)]));
    assert.equal(first.created, 2);
    // An update ERPNext refuses for one record: bulk_update reports it, the other is written.
    const second: RegionCounts = await activity.run(() =>
      write('us', [employee(1, 'Retired'), employee(2, 'Left')]),
    );
    assert.deepEqual([second.updated, second.failed], [1, 1]);

    const [queued] = await eventually(
      () => queue('erpnext').query(deadLetterItems),
      (items) => items.length === 1,
    );
    assert.equal(queued!.id, 'erpnext-employee:DLQ0001');
    assert.equal(queued!.kind, 'erpnext-employee');
    assert.equal(queued!.error.type, 'BulkUpdateFailed');
    assert.deepEqual(queued!.source, { workflowId: 'workday-import-writer', runId: 'run-1' });
  });
});
