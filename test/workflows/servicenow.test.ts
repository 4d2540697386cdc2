// servicenowIncidentSync and openIncident against the ServiceNow, Slack and Graph simulators on
// Temporal's time-skipping server. Outcomes are read back through ServiceNow's Table API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig, createActivities, type Activities } from '../../src/activities';
import { incidentCorrelationId } from '../../src/activities/servicenow';
import type { Config } from '../../src/config';
import type { IncidentEvent, IncidentRef, SyncTable } from '../../src/domain/servicenow';
import type { IncidentSyncInput } from '../../src/workflows/servicenowIncidentSync';
import { ServicenowSimAccess, sysIdFor, type Row } from '../helpers/servicenow';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { timeSkippingServer } from '../helpers/temporal';
import { openIncident, servicenowIncidentSync } from '../../src/workflows';
import { createWorkerGroup } from '../../src/workerGroup';

describe('ServiceNow workflows', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let sn: ServicenowSimAccess;
  let caPem: string;
  let config: Config;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    sn = new ServicenowSimAccess(simulators.sims.servicenow.url, caPem);
    config = testConfig(simulators.env);
  });
  after(async () => {
    await simulators?.stop();
    await env?.teardown();
  });
  beforeEach(async () => {
    for (const sim of [simulators.sims.slack, simulators.sims.graph])
      await admin(sim.url, 'reset', {}, caPem);
    await sn.reset();
  });

  /** Activities over the simulators; `seen` collects every record each page read. */
  function activities(wrap: (a: Activities) => Partial<Activities> = () => ({})) {
    const seen: Record<SyncTable, Row[]> = { incident: [], change_request: [] };
    const deps = activityDepsFromConfig(config);
    deps.servicenow = { ...deps.servicenow, observe: (table, records) => seen[table].push(...records) };
    const base = createActivities(deps);
    return { acts: { ...base, ...wrap(base) }, seen };
  }

  async function withWorker<T>(acts: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `sn-${++run}`;
    const worker = await createWorkerGroup({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      workflowsPath: require.resolve('../helpers/servicenowWorkflows'),
      taskQueue,
      activities: acts,
    });
    return worker.runUntil(fn(taskQueue));
  }

  const sync = (taskQueue: string, input: IncidentSyncInput) =>
    env.client.workflow.execute(servicenowIncidentSync, {
      taskQueue,
      workflowId: `sn-sync-${run}-${Math.random().toString(36).slice(2)}`,
      args: [input],
    });

  it('sees 1,000 incidents sharing one sys_updated_on exactly once across pages', async () => {
    const tie = '2024-05-01 10:00:00';
    await sn.seed('incident', [
      { sys_id: sysIdFor(100_000), sys_updated_on: '2024-05-01 09:00:00' },
      ...Array.from({ length: 1000 }, (_, i) => ({
        sys_id: sysIdFor(((i * 7919) % 1000) + 1),
        sys_updated_on: tie,
      })),
      { sys_id: sysIdFor(100_001), sys_updated_on: '2024-05-01 10:00:01' },
    ]);
    const { acts, seen } = activities();
    const report = await withWorker(acts, (tq) => sync(tq, { pageSize: 97, tables: ['incident'] }));
    const ids = seen.incident.map((r) => r.sys_id);
    assert.equal(ids.length, 1002);
    assert.equal(new Set(ids).size, 1002);
    assert.equal(report.records, 1002);
    assert.equal(report.pages, Math.ceil(1002 / 97));
    assert.deepEqual(report.cursorAfter.incident, {
      updatedOn: '2024-05-01 10:00:01',
      sysId: sysIdFor(100_001),
    });

    // The next run from that cursor finds nothing new.
    const { acts: acts2, seen: seen2 } = activities();
    const next = await withWorker(acts2, (tq) =>
      sync(tq, { cursor: report.cursorAfter, tables: ['incident'] }),
    );
    assert.equal(next.records, 0);
    assert.equal(seen2.incident.length, 0);
    assert.deepEqual(next.cursorAfter, report.cursorAfter);
  });

  it('leaves a record updated during the sync to the next run, which picks it up', async () => {
    // The instance's clock stands at 10:00:01: the sync reads up to (not including) that second.
    await sn.setClock('2024-05-01 10:00:01');
    const ids = await sn.seed(
      'incident',
      Array.from({ length: 300 }, (_, i) => ({
        sys_id: sysIdFor(i + 1),
        sys_updated_on: '2024-05-01 10:00:00',
      })),
    );
    const target = ids[0]!;
    let pages = 0;
    const { acts, seen } = activities((base) => ({
      async servicenowSyncPage(request) {
        const result = await base.servicenowSyncPage(request);
        // After the second page, someone edits a record the sync has already passed (real clock).
        if (++pages === 2)
          await sn.patch('incident', target, { short_description: 'edited mid-sync', state: '2' });
        return result;
      },
    }));
    const first = await withWorker(acts, (tq) =>
      sync(tq, { pageSize: 100, settleSeconds: 0, tables: ['incident'] }),
    );
    assert.equal(first.records, 300);
    assert.equal(seen.incident.filter((r) => r.sys_id === target).length, 1, 'seen once, before the edit');

    await sn.setClock('2024-05-01 10:00:02'); // the edited second is over
    const { acts: acts2, seen: seen2 } = activities();
    const second = await withWorker(acts2, (tq) =>
      sync(tq, { cursor: first.cursorAfter, settleSeconds: 0, tables: ['incident'] }),
    );
    assert.equal(second.records, 1);
    assert.equal(second.changed, 1);
    assert.equal(seen2.incident[0]!.sys_id, target);
    assert.equal(seen2.incident[0]!.sys_mod_count, '1');
  });

  it('announces a P2 created later in the second where the previous run stopped, exactly once', async () => {
    // A and the new P2 B share second X; the previous run stopped after A (maxPages), mid-second.
    const x = '2024-05-01 10:00:00';
    const b = 'e'.repeat(32);
    await sn.seed('incident', [
      { sys_id: sysIdFor(1), sys_updated_on: x, short_description: 'Printer jam' },
      { sys_id: b, sys_updated_on: x, short_description: 'VPN down', impact: '1', urgency: '2' },
    ]);
    await sn.setClock('2024-05-01 10:01:00');
    const { acts } = activities();
    const reports = await withWorker(acts, async (tq) => {
      const cursor = { incident: { updatedOn: '2024-05-01 09:59:59', sysId: 'f'.repeat(32) } };
      const first = await sync(tq, { tables: ['incident'], pageSize: 1, maxPages: 1, cursor });
      const second = await sync(tq, { tables: ['incident'], cursor: first.cursorAfter });
      const third = await sync(tq, { tables: ['incident'], cursor: second.cursorAfter });
      return [first, second, third];
    });
    assert.deepEqual(
      reports.map((r) => [r.records, r.new, r.changed, r.notified, r.more]),
      [
        [1, 1, 0, 0, true],
        [1, 1, 0, 1, false],
        [0, 0, 0, 0, false],
      ],
    );
    assert.deepEqual(reports[0]!.cursorAfter.incident, { updatedOn: x, sysId: sysIdFor(1) });
    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    assert.equal(slack.length, 1, 'one Slack message');
    assert.match(slack[0]!.text, /INC0010002 \(P2\) opened/);
    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as unknown[];
    assert.equal(teams.length, 1, 'one Teams message');
  });

  it("signals a CAB decision made in the cursor's own second once, and not again after a later edit", async () => {
    const x = '2024-05-01 10:00:00';
    const chg = 'e'.repeat(32);
    const { acts } = activities();
    const reports = await withWorker(acts, async (tq) => {
      const waiterId = `cab-tie-${run}`;
      await sn.setClock('2024-05-01 09:50:00');
      await sn.seed('change_request', [
        { sys_id: sysIdFor(1), short_description: 'Unrelated change' },
        {
          sys_id: chg,
          short_description: 'Renew cert',
          correlation_id: waiterId,
          correlation_display: 'temporal-workflow',
          approval: 'requested',
        },
      ]);
      // Both change in second X; the first run stops after the unrelated one.
      await sn.setClock(x);
      await sn.patch('change_request', sysIdFor(1), { short_description: 'Unrelated change, edited' });
      await sn.patch('change_request', chg, { approval: 'approved' });
      await sn.setClock('2024-05-01 10:01:00');
      const cursor = { change_request: { updatedOn: '2024-05-01 09:55:00', sysId: 'f'.repeat(32) } };
      const tables: SyncTable[] = ['change_request'];
      const first = await sync(tq, { tables, pageSize: 1, maxPages: 1, cursor });
      // Started only now: started before the first run, the time-skipping server timed it out.
      const waiter = await env.client.workflow.start('cabWaiter', { taskQueue: tq, workflowId: waiterId });
      const second = await sync(tq, { tables, cursor: first.cursorAfter });
      const decision = (await waiter.result()) as { approval: string; decidedAt: string };
      assert.deepEqual([decision.approval, decision.decidedAt], ['approved', x]);
      // Later the change request is closed: the same decision is not signalled again.
      await sn.setClock('2024-05-01 10:02:00');
      await sn.patch('change_request', chg, { state: '3' });
      await sn.setClock('2024-05-01 10:03:00');
      const third = await sync(tq, { tables, cursor: second.cursorAfter });
      return [first, second, third];
    });
    assert.deepEqual(
      reports.map((r) => [r.records, r.new, r.changed, r.signalled, r.signalsUndelivered]),
      [
        [1, 0, 1, 0, 0],
        [1, 0, 1, 1, 0],
        [1, 0, 1, 0, 0],
      ],
    );
  });

  it('20 concurrent and retried opens of one event leave one incident; resolve resolves it', async () => {
    const event: IncidentEvent = {
      sourceSystem: 'erpnext',
      sourceId: 'breaker-open-2024-05-01',
      title: 'ERPNext circuit breaker opened',
      severity: 'high',
    };
    let lostResponses = 0;
    const { acts } = activities((base) => ({
      async servicenowUpsertIncident(e) {
        const ref = await base.servicenowUpsertIncident(e);
        // The vendor committed, but the answer is lost on the way back: Temporal retries.
        if (lostResponses++ < 10) throw new Error('socket hang up after commit');
        return ref;
      },
    }));
    await admin(
      simulators.sims.servicenow.url,
      'faults',
      { status: 503, times: 5, path: '/api/now/import' },
      caPem,
    );
    const refs = await withWorker(acts, async (tq) => {
      // All 20 run at once; results are collected one by one (20 concurrent result waits can
      // unbalance the time-skipping server's clock lock).
      const handles = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          env.client.workflow.start(openIncident, {
            taskQueue: tq,
            workflowId: `open-${run}-${i}`,
            args: [event],
          }),
        ),
      );
      const results: IncidentRef[] = [];
      for (const h of handles) results.push(await h.result());
      return results;
    });
    const correlationId = incidentCorrelationId(event.sourceSystem, event.sourceId);
    const incidents = await sn.list('incident', `correlation_id=${correlationId}`);
    assert.equal(incidents.length, 1, 'exactly one incident');
    assert.equal(incidents[0]!.priority, '2');
    assert.ok(
      (refs as IncidentRef[]).every(
        (r) => r.sysId === incidents[0]!.sys_id && r.number === incidents[0]!.number,
      ),
    );
    const imports = (await sn.requests()).filter((r) => r.path === '/api/now/import/u_imp_incident');
    assert.ok(imports.length >= 35, `${imports.length} import calls, incl. 5 faults and 10 retries`);

    const resolved = await withWorker(activities().acts, (tq) =>
      env.client.workflow.execute(openIncident, {
        taskQueue: tq,
        workflowId: `resolve-${run}`,
        args: [{ ...event, status: 'resolved' }],
      }),
    );
    assert.equal((resolved as IncidentRef).outcome, 'updated');
    const after = await sn.list('incident', `correlation_id=${correlationId}`);
    assert.equal(after.length, 1);
    assert.equal(after[0]!.state, '6');
    assert.equal(after[0]!.close_code, 'Solved (Permanently)');
  });

  it('waits out a 429 storm (Retry-After) and still sees every record once', async () => {
    await sn.seed(
      'incident',
      Array.from({ length: 500 }, (_, i) => ({
        sys_id: sysIdFor(i + 1),
        sys_updated_on: '2024-05-01 10:00:00',
      })),
    );
    await admin(
      simulators.sims.servicenow.url,
      'faults',
      { status: 429, retryAfterSeconds: 2, times: 4, path: '/api/now/table/incident' },
      caPem,
    );
    const { acts, seen } = activities();
    const { report, elapsedMs } = await withWorker(acts, async (tq) => {
      const handle = await env.client.workflow.start(servicenowIncidentSync, {
        taskQueue: tq,
        workflowId: `sn-storm-${run}`,
        args: [{ pageSize: 100, tables: ['incident'] } satisfies IncidentSyncInput],
      });
      const result = await handle.result();
      const d = await handle.describe();
      return { report: result, elapsedMs: d.closeTime!.getTime() - d.startTime.getTime() };
    });
    assert.equal(report.records, 500);
    assert.equal(new Set(seen.incident.map((r) => r.sys_id)).size, 500);
    assert.equal(seen.incident.length, 500);
    assert.ok(elapsedMs >= 4 * 2000, `run took ${elapsedMs} ms: it waited out four Retry-After: 2`);
    const limited = (await sn.requests()).filter((r) => r.status === 429);
    assert.equal(limited.length, 4);
  });

  it('announces P1/P2 incidents and state changes, and signals CAB decisions to the waiting workflow', async () => {
    await sn.setClock('2024-05-01 10:00:00');
    const [p1] = await sn.seed('incident', [
      { short_description: 'Payroll export down', impact: '1', urgency: '1' },
      { short_description: 'Printer jam', impact: '3', urgency: '3' },
    ]);
    await sn.setClock('2024-05-01 10:01:00');
    const { acts } = activities();
    const first = await withWorker(acts, (tq) => sync(tq, {}));
    assert.equal(first.records, 2);
    assert.equal(first.new, 2);
    assert.equal(first.notified, 1);
    let slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[];
    assert.equal(slack.length, 1);
    assert.match(slack[0]!.text, /INC0010001 \(P1\) opened/);
    assert.equal(
      ((await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as unknown[]).length,
      1,
    );

    // Later: the P1 moves to In Progress, a change request waits for CAB, CAB approves it.
    await sn.setClock('2024-05-01 10:05:00');
    await sn.patch('incident', p1!, { state: '2' });
    const second = await withWorker(acts, async (tq) => {
      const waiter = await env.client.workflow.start('cabWaiter', {
        taskQueue: tq,
        workflowId: `cab-waiter-${run}`,
      });
      const [chg] = await sn.seed('change_request', [
        {
          short_description: 'Renew cert',
          correlation_id: waiter.workflowId,
          correlation_display: 'temporal-workflow',
          approval: 'requested',
        },
      ]);
      await sn.setClock('2024-05-01 10:06:00');
      await sn.patch('change_request', chg!, { approval: 'approved' });
      await sn.setClock('2024-05-01 10:07:00');
      const report = await sync(tq, { cursor: first.cursorAfter });
      const decision = (await waiter.result()) as { approval: string; changeNumber: string };
      assert.equal(decision.approval, 'approved');
      assert.equal(decision.changeNumber, 'CHG0010001');
      return report;
    });
    assert.equal(second.changed, 1);
    assert.equal(second.notified, 1);
    assert.equal(second.signalled, 1);
    slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[];
    assert.equal(slack.length, 2);
    assert.match(slack[1]!.text, /INC0010001 \(P1\) New → In Progress/);
  });
});
