// The Salesforce workflows on the time-skipping server with the real activities against the
// simulators: tie-safe keyset pages, the Bulk first load, an allocation spent mid-sync (parked, then
// resumed with nothing lost or doubled), EU/EEA residency, account intelligence with 3 refused rows
// dead-lettered and redriven once, and pool-size changes gated on CAB approval and NET-771.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import type { RedriveResult } from '../../src/domain/deadLetter';
import { SETTINGS_WORKFLOW_ID } from '../../src/domain/salesforce';
import { ErpnextClient } from '../../src/vendors/erpnext';
import {
  salesforceAccountIntelligence,
  salesforceAccountSync,
  salesforceSettings,
} from '../../src/workflows';
import { deadLetterItems, redriveUpdate } from '../../src/workflows/deadLetterQueue';
import { syncStatusQuery } from '../../src/workflows/salesforceAccountSync';
import type { SalesforceIntelligenceReport } from '../../src/workflows/salesforceAccountIntelligence';
import { poolQuery, setPoolSizeUpdate } from '../../src/workflows/salesforceSettings';
import { SIMULATOR_CREDENTIALS } from '../../scripts/local-env';
import { ACCOUNT_SYNC_WORKFLOW_ID } from '../../src/domain/salesforce';
import { createIngressMetrics } from '../../src/ingress/metrics';
import { registerSalesforceRoutes } from '../../src/ingress/salesforce';
import { createIngressServer } from '../../src/ingress/server';
import { clientGateway } from '../../src/ingress/temporal';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually, waitFor } from '../helpers/waitFor';

const STAMP = '2026-11-01T10:00:00.000Z';
/** A position before every seeded Account: the REST path (a delta, not a first load). */
const START = { systemModstamp: '2000-01-01T00:00:00.000Z', id: '000000000000000AAA' };

interface Customer {
  name: string;
  custom_salesforce_id: string;
  custom_billing_country: string;
}

describe('Salesforce workflows', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let taskQueue: string;
  let run = 0;
  let us: ErpnextClient;
  let eu: ErpnextClient;
  const sfAdmin = (path: string, body?: unknown) =>
    admin(simulators.sims.salesforce.url, `salesforce/${path}`, body, caPem);
  const customers = async (site: ErpnextClient) =>
    site.list<Customer>('Customer', {
      fields: ['name', 'custom_salesforce_id', 'custom_billing_country'],
      pageLength: 0,
    });

  before(async () => {
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const c = SIMULATOR_CREDENTIALS;
    us = new ErpnextClient({
      url: simulators.sims.erpnext.url,
      apiKey: c.erpnextKey,
      apiSecret: c.erpnextSecret,
      extraCaPem: caPem,
    });
    eu = new ErpnextClient({
      url: simulators.sims.erpnextEu.url,
      apiKey: c.erpnextKey,
      apiSecret: c.erpnextSecret,
      extraCaPem: caPem,
    });
  });
  after(async () => {
    await simulators?.stop();
  });
  beforeEach(async () => {
    const { slack, graph, erpnext, erpnextEu, salesforce, servicenow } = simulators.sims;
    for (const s of [slack, graph, erpnext, erpnextEu, salesforce, servicenow])
      await admin(s.url, 'reset', {}, caPem);
    env = await timeSkippingServer();
    taskQueue = `sf-${++run}`;
    worker = await createTestWorker(env, {
      taskQueue,
      // Dead letters kept for a year: the time-skipping server may jump past the default 7 days while
      // a test waits on a run, and the queue would expire its items before the test reads them.
      activities: createActivities(
        activityDepsFromConfig(testConfig(simulators.env, { DLQ_RETENTION: '365 days' })),
      ),
    });
    running = worker.run();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const sync = (input: Parameters<typeof salesforceAccountSync>[0], id = `sync-${run}`) =>
    env.client.workflow.start(salesforceAccountSync, {
      taskQueue,
      workflowId: id,
      args: [{ once: true, settleSeconds: 0, ...input }],
    });

  it('reads 1,000 Accounts that share one SystemModstamp across keyset pages exactly once', async () => {
    await sfAdmin('accounts', { count: 1000, systemModstamp: STAMP, country: 'US' });
    const report = await (await sync({ cursor: START, pageSize: 300 })).result();
    assert.equal(report.outcome, 'ok');
    assert.equal(report.restPages, 4);
    assert.equal(report.read, 1000);
    assert.equal(report.created, 1000);
    const written = await customers(us);
    assert.equal(written.length, 1000);
    assert.equal(new Set(written.map((c) => c.custom_salesforce_id)).size, 1000);
    // Nothing changed since: the next run from its cursor reads nothing and sends nothing.
    const again = await (await sync({ cursor: report.cursor, pageSize: 300 }, `sync-${run}-again`)).result();
    assert.equal(again.read, 0);
  });

  it('loads the first time through a Bulk 2.0 query job, idempotently', async () => {
    await sfAdmin('accounts', { count: 1000, systemModstamp: STAMP, country: 'US' });
    const first = await (await sync({ bulkPageSize: 300 })).result();
    assert.equal(first.bulkJobs, 1);
    assert.equal(first.created, 1000);
    const again = await (await sync({ bulkPageSize: 300 }, `sync-${run}-again`)).result();
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 1000]);
    assert.equal((await customers(us)).length, 1000);
  });

  it('parks when the allocation runs out mid-sync and resumes with nothing lost or doubled', async () => {
    await sfAdmin('accounts', { count: 1000, systemModstamp: STAMP, country: 'US' });
    // The count and two pages fit; the third page meets 403 REQUEST_LIMIT_EXCEEDED.
    await sfAdmin('allocation', { max: 3, used: 0 });
    const handle = await sync({ cursor: START, pageSize: 200, reserve: 0, parkFor: '1 hour' });
    await eventually(
      () => handle.query(syncStatusQuery),
      (s) => s.parked >= 1,
      { what: 'the sync to park' },
    );
    assert.equal((await customers(us)).length, 400);
    await sfAdmin('allocation', { max: 100_000 });
    const report = await handle.result();
    assert.equal(report.read, 1000);
    assert.equal(report.created, 1000);
    const written = await customers(us);
    assert.equal(written.length, 1000);
    assert.equal(new Set(written.map((c) => c.custom_salesforce_id)).size, 1000);
    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text?: string;
    }[];
    assert.ok(JSON.stringify(slack).includes('allocation low'), 'the park is announced');
  });

  it('never sends an EU/EEA account to the US site, and moves one whose billing country changes', async () => {
    const { ids } = (await sfAdmin('accounts', {
      accounts: ['DE', 'FR', 'NO', 'US', 'CA'].map((country) => ({
        Name: `Acme ${country}`,
        BillingCountryCode: country,
        SystemModstamp: STAMP,
      })),
    })) as { ids: string[] };
    const first = await (await sync({ cursor: START })).result();
    assert.deepEqual((await customers(us)).map((c) => c.custom_billing_country).sort(), ['CA', 'US']);
    assert.deepEqual((await customers(eu)).map((c) => c.custom_billing_country).sort(), ['DE', 'FR', 'NO']);
    // The US account is re-billed to Germany: it leaves the US site.
    const moved = (await sfAdmin('accounts/update', {
      id: ids[3],
      values: { BillingCountryCode: 'DE' },
    })) as {
      SystemModstamp: string;
    };
    // A sync reads only whole seconds that have passed (`SystemModstamp < horizon`): a change in the
    // current second waits for the next round. Wait for the change's second to be over.
    await waitFor(
      'the second of the change to pass',
      async () => Date.now() >= Date.parse(moved.SystemModstamp) + 1000 || undefined,
    );
    const second = await (await sync({ cursor: first.cursor, settleSeconds: 0 }, `sync-${run}-b`)).result();
    assert.equal(second.moved, 1);
    assert.deepEqual(
      (await customers(us)).map((c) => c.custom_billing_country),
      ['CA'],
    );
    assert.equal((await customers(eu)).filter((c) => c.custom_salesforce_id === ids[3]).length, 1);
  });

  it('dead-letters exactly the 3 rows a Bulk ingest refused, and a redrive after the fix writes them once', async () => {
    const { ids } = (await sfAdmin('accounts', { count: 10, systemModstamp: STAMP, country: 'US' })) as {
      ids: string[];
    };
    await (await sync({ cursor: START })).result();
    const refused = ids.slice(0, 3);
    for (const id of refused)
      await sfAdmin('rules', {
        field: 'Id',
        equals: id,
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Credit limit needs approval',
      });
    const before = (await sfAdmin('writes')) as Record<string, number>;
    // Waited for without `result()`: while a client waits on a result the test server skips to the
    // next timer, and the dead-letter queue's expiry timer would expire the items before they are read.
    const intel = await env.client.workflow.start(salesforceAccountIntelligence, {
      taskQueue,
      workflowId: `intel-${run}`,
      args: [{ pollInitial: '1 second' }],
    });
    const report = await waitFor(
      'the account intelligence run to complete',
      async () => {
        const { events } = await intel.fetchHistory();
        const done = events?.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
        return done
          ? defaultPayloadConverter.fromPayload<SalesforceIntelligenceReport>(done as Payload)
          : undefined;
      },
      90_000,
    );
    assert.deepEqual([report.rows, report.processed, report.failed, report.deadLettered], [10, 10, 3, 3]);
    const dlq = env.client.workflow.getHandle('dlq-salesforce');
    const items = await eventually(
      () => dlq.query(deadLetterItems),
      (i) => i.length === 3,
      { what: '3 dead letters' },
    );
    assert.deepEqual(items.map((i) => i.key).sort(), [...refused].sort());
    assert.ok(items.every((i) => i.error.type === 'FIELD_CUSTOM_VALIDATION_EXCEPTION'));
    await sfAdmin('rules/clear', {});
    const redriven: RedriveResult = await dlq.executeUpdate(redriveUpdate, {
      args: [{ ids: items.map((i) => i.id) }],
    });
    assert.equal(redriven.succeeded, 3);
    const after = (await sfAdmin('writes')) as Record<string, number>;
    for (const id of ids) assert.equal((after[id] ?? 0) - (before[id] ?? 0), 1, `${id} written once`);
  });

  it('refuses a pool-size change without an approved CAB change or NET-771, and applies an approved one', async () => {
    const sn = simulators.sims.servicenow.url;
    await admin(
      sn,
      'servicenow/seed',
      {
        table: 'change_request',
        records: [
          { number: 'CHG0030001', approval: 'requested', short_description: 'Salesforce pool' },
          { number: 'CHG0030002', approval: 'approved', short_description: 'Salesforce pool (NET-771)' },
        ],
      },
      caPem,
    );
    const settings = await env.client.workflow.start(salesforceSettings, {
      taskQueue,
      workflowId: SETTINGS_WORKFLOW_ID,
      args: [{}],
    });
    const change = { poolSize: 8, dependency: 'NET-771' as const, who: 'ana.ops' };
    await assert.rejects(
      settings.executeUpdate(setPoolSizeUpdate, { args: [{ ...change, changeNumber: 'CHG0030001' }] }),
      (err) => err instanceof WorkflowUpdateFailedError && /not approved/.test(String(err.cause?.message)),
    );
    await assert.rejects(
      settings.executeUpdate(setPoolSizeUpdate, {
        args: [{ ...change, dependency: 'NET-1' as never, changeNumber: 'CHG0030002' }],
      }),
      (err) => err instanceof WorkflowUpdateFailedError && /NET-771/.test(String(err.cause?.message)),
    );
    assert.equal((await settings.query(poolQuery)).poolSize, 5);
    const applied = await settings.executeUpdate(setPoolSizeUpdate, {
      args: [{ ...change, changeNumber: 'CHG0030002' }],
    });
    assert.equal(applied.poolSize, 8);
    const state = await settings.query(poolQuery);
    assert.deepEqual(
      state.changes.map((c) => c.outcome),
      ['refused', 'applied'],
    );
  });

  it('processes an Outbound Message that Salesforce delivered 5 times (4 acks lost) once', async () => {
    const metrics = createIngressMetrics();
    const app = createIngressServer(metrics);
    const c = SIMULATOR_CREDENTIALS;
    registerSalesforceRoutes(app, {
      orgId: c.salesforceOrgId,
      secret: c.salesforceOutboundSecret,
      temporal: clientGateway(env.client, taskQueue, 10_000),
      metrics,
      log: { warn: () => undefined },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { ids } = (await sfAdmin('accounts', { count: 1, systemModstamp: STAMP })) as { ids: string[] };
      const outbound = `${address}/salesforce/outbound`;
      // A wrong token is refused and never acknowledged (Salesforce keeps retrying).
      const wrong = (await sfAdmin('outbound', {
        url: `${outbound}?token=nope`,
        accountIds: ids,
        maxAttempts: 1,
      })) as { id: string };
      const refused = await eventually(
        () => sfAdmin(`outbound/${wrong.id}`) as Promise<{ done: boolean; attempts: { status: number }[] }>,
        (d) => d.done,
        { what: 'the refused delivery' },
      );
      assert.equal(refused.attempts[0]?.status, 401);
      const sent = (await sfAdmin('outbound', {
        url: `${outbound}?token=${c.salesforceOutboundSecret}`,
        accountIds: ids,
        ignoreAcks: 4,
        retryDelaysMs: [20],
      })) as { id: string };
      const delivery = await eventually(
        () =>
          sfAdmin(`outbound/${sent.id}`) as Promise<{
            done: boolean;
            acknowledged: boolean;
            attempts: unknown[];
          }>,
        (d) => d.done,
        { what: 'the delivery to be acknowledged', timeoutMs: 60_000 },
      );
      assert.equal(delivery.acknowledged, true);
      assert.equal(delivery.attempts.length, 5);
      const status = await env.client.workflow.getHandle(ACCOUNT_SYNC_WORKFLOW_ID).query(syncStatusQuery);
      assert.equal(status.notifications, 1);
    } finally {
      await env.client.workflow
        .getHandle(ACCOUNT_SYNC_WORKFLOW_ID)
        .terminate('test over')
        .catch(() => undefined);
      await app.close();
    }
  });
});
