// The breaker that gates, on the time-skipping server: redrives of ERPNext's dead-letter queue fail
// until the breaker opens (after N failures in its window, not N-1), then are refused without a
// call; EU redrives go on meanwhile; after the open time one probe goes through and closes it; each
// transition is announced once. Readiness probes and renewal probes are refused while it is open.
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import type { Activities } from '../../src/activities';
import { createBreakerActivities } from '../../src/activities/breaker';
import type { Alert } from '../../src/domain/alert';
import type { BreakerPolicy, Permit } from '../../src/domain/breaker';
import type { DeadLetterInput, DeadLetterItem } from '../../src/domain/deadLetter';
import type { ConnectorCheck } from '../../src/domain/readiness';
import { certificateRenewal, deadLetterQueue, readinessCheck } from '../../src/workflows';
import { renewalStatus } from '../../src/workflows/certificateRenewal/messages';
import { breakerState, openBreaker, outcomeSignal, permitUpdate } from '../../src/workflows/circuitBreaker';
import { addDeadLetters, redriveUpdate } from '../../src/workflows/deadLetterQueue';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { stubActivities } from '../helpers/stubActivities';

const MINUTE = 60_000;
const policy: BreakerPolicy = {
  failures: 3,
  windowMs: 10 * MINUTE,
  openForMs: 5 * MINUTE,
  probeTimeoutMs: MINUTE,
};
const taskQueue = 'breaker-tests';

describe('circuitBreaker workflow (a breaker that gates)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let alerts: Alert[];
  /** Connectors whose vendor answers 503. */
  let down: Set<string>;
  /** Vendor calls made, by connector. */
  let calls: string[];

  beforeEach(async () => {
    alerts = [];
    down = new Set();
    calls = [];
    env = await timeSkippingServer();
    const outage = (connector: string) =>
      ApplicationFailure.create({
        message: `${connector}: 503 Service Unavailable`,
        type: 'VendorUnavailable',
        nonRetryable: true,
        details: [{ vendor: 'erpnext', status: 503, connector }],
      });
    worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        ...stubActivities,
        ...createBreakerActivities({ policy }),
        notifySlack: async (alert: Alert) => (
          alerts.push(alert),
          { channel: 'slack' as const, status: 'sent' as const }
        ),
        notifyTeams: async () => ({ channel: 'teams' as const, status: 'skipped' as const }),
        redriveDeadLetter: async (item: DeadLetterItem) => {
          calls.push(item.connector);
          if (down.has(item.connector)) throw outage(item.connector);
          return { id: item.id, outcome: 'written' };
        },
        checkConnector: async (connector: string): Promise<ConnectorCheck> => {
          calls.push(connector);
          return {
            connector,
            endpoint: 'https://erp.example.com',
            reachable: true,
            credentialsAccepted: true,
          };
        },
        probeCertificate: async () => {
          calls.push('tls');
          return {
            trusted: true,
            validTo: new Date(Date.now() + 400 * 86_400_000).toISOString(),
            fingerprint256: 'NEW',
          };
        },
      } satisfies Partial<Activities>,
    });
    running = worker.run();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const breaker = (connector: string) => env.client.workflow.getHandle(`breaker-${connector}`);
  const transitions = (connector: string) =>
    alerts.filter((a) => a.title.startsWith(`${connector} circuit breaker`)).map((a) => a.title);

  async function queueWithItem(connector: string) {
    const handle = await env.client.workflow.start(deadLetterQueue, {
      taskQueue,
      workflowId: `dlq-${connector}`,
      args: [{ connector }],
    });
    const item: DeadLetterInput = {
      connector,
      kind: 'erpnext-employee',
      key: `E-${connector}`,
      payload: {},
      error: { type: 'VendorUnavailable', message: '503', chain: [] },
      source: { workflowId: 'import' },
      failedAt: new Date(await env.currentTimeMs()).toISOString(),
    };
    await handle.signal(addDeadLetters, [item]);
    return handle;
  }
  const redrive = (queue: Awaited<ReturnType<typeof queueWithItem>>) =>
    queue.executeUpdate(redriveUpdate, { args: [{ filter: { errorType: 'VendorUnavailable' } }] });

  /** Opens `breaker-<connector>` the way callers do: N failures reported within the window. */
  async function openByFailures(connector: string) {
    const queue = await queueWithItem(connector);
    down.add(connector);
    for (let i = 0; i < policy.failures; i++) await redrive(queue);
    await eventually(
      () => breaker(connector).query(breakerState),
      (s) => s.state === 'open',
      {
        what: `${connector} breaker open`,
      },
    );
    return queue;
  }

  it('opens after N failures in the window (not N-1), refuses redrives, leaves EU alone, half-opens with one probe, closes, announces each once', async () => {
    const us = await queueWithItem('erpnext');
    down.add('erpnext');
    for (let i = 1; i < policy.failures; i++) assert.equal((await redrive(us)).failed, 1);
    const before = await breaker('erpnext').query(breakerState);
    assert.equal(before.state, 'closed', 'N-1 failures leave it closed');
    assert.equal(before.failuresInWindow, policy.failures - 1);
    await redrive(us);
    await eventually(
      () => breaker('erpnext').query(breakerState),
      (s) => s.state === 'open',
    );

    const callsBefore = calls.length;
    await assert.rejects(redrive(us), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.match(String((err.cause as Error).message), /erpnext: breaker open until .*; not called/);
      return true;
    });
    assert.equal(calls.length, callsBefore, 'a refused redrive calls nothing');

    const eu = await queueWithItem('erpnext-eu');
    assert.equal((await redrive(eu)).succeeded, 1, 'the EU breaker is its own: EU redrives go on');

    await env.sleep(policy.openForMs);
    await eventually(
      () => breaker('erpnext').query(breakerState),
      (s) => s.state === 'half-open',
    );
    down.delete('erpnext');
    assert.equal((await redrive(us)).succeeded, 1, 'the half-open breaker lets the probe through');
    await eventually(
      () => breaker('erpnext').query(breakerState),
      (s) => s.state === 'closed',
    );
    await eventually(
      async () => transitions('erpnext'),
      (t) => t.length === 3,
      { what: 'three announcements' },
    );
    await env.sleep(MINUTE);
    assert.deepEqual(transitions('erpnext'), [
      'erpnext circuit breaker open',
      'erpnext circuit breaker half-open',
      'erpnext circuit breaker closed',
    ]);
    assert.deepEqual(transitions('erpnext-eu'), []);
  });

  it('failures spread wider than the window leave it closed', async () => {
    const us = await queueWithItem('erpnext');
    down.add('erpnext');
    for (let i = 0; i < policy.failures; i++) {
      await redrive(us);
      await env.sleep(policy.windowMs / 2 + MINUTE);
    }
    const state = await breaker('erpnext').query(breakerState);
    assert.equal(state.state, 'closed');
    assert.equal(state.failuresInWindow, 2, 'never N inside one window');
  });

  it('half-open: exactly one of two callers gets the probe; a failed probe opens it again', async () => {
    await openByFailures('erpnext');
    await env.sleep(policy.openForMs);
    const ask = (by: string) => breaker('erpnext').executeUpdate(permitUpdate, { args: [{ by }] });
    const answers: Permit[] = await Promise.all([ask('a'), ask('b')]);
    assert.deepEqual(answers.map((a) => a.granted).sort(), [false, true]);
    const prober = answers[0]!.granted ? 'a' : 'b';
    await breaker('erpnext').signal(outcomeSignal, { by: prober, ok: false, reason: 'still 503' });
    await eventually(
      () => breaker('erpnext').query(breakerState),
      (s) => s.state === 'open',
    );
  });

  it('readiness probes and renewal probes are refused while it is open', async () => {
    await openByFailures('erpnext');
    // Held open by a person: no half-open timer runs while the probes' runs skip time ahead.
    await breaker('erpnext').signal(openBreaker, { by: 'ana', reason: 'vendor maintenance' });
    await eventually(
      () => breaker('erpnext').query(breakerState),
      (s) => s.heldBy === 'ana',
    );
    const callsBefore = calls.length;
    const report = await env.client.workflow.execute(readinessCheck, {
      taskQueue,
      workflowId: 'readiness',
      args: [{ connectors: ['erpnext'], startRenewals: false }],
    });
    assert.equal(report.connectors[0]!.status, 'fail');
    assert.match(report.connectors[0]!.reasons.join(), /not probed: breaker held open by ana/);

    const now = await env.currentTimeMs();
    const renewal = await env.client.workflow.start(certificateRenewal, {
      taskQueue,
      workflowId: 'renewal-while-open',
      args: [{ host: 'erp.example.com', expiresAt: new Date(now + 20 * 86_400_000).toISOString() }],
    });
    const status = await eventually(
      () => renewal.query(renewalStatus),
      (s) => s.actions.some((a) => a.action === 'probe deferred'),
    );
    assert.match(
      status.actions.find((a) => a.action === 'probe deferred')!.detail,
      /erpnext: breaker held open by ana/,
    );
    assert.equal(calls.length, callsBefore, 'neither the readiness probe nor the TLS probe ran');
  });
});
