// The audit lines that workflow code writes through the worker's `audit` sink: people's updates
// and signals (accepted, refused with the reason) and the renewal's escalations, each naming who
// acted. Time-skipping server; the activities are recorders.
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { useAuditWriter, type AuditRecord } from '../../src/audit';
import { renewalActions } from '../../src/workflows/certificateRenewal/messages';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { certificateRenewal } from '../../src/workflows';
import type { Activities } from '../../src/activities';

const DAY = 86_400_000;

describe('audit lines from workflows', () => {
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;
  const lines: AuditRecord[] = [];

  before(async () => {
    useAuditWriter((line) => lines.push(line));
    env = await timeSkippingServer();
    const sent = async () => ({ status: 'sent' as const });
    worker = await createTestWorker(env, {
      taskQueue: 'audit-sink-tests',
      activities: {
        notifySlack: async () => ({ channel: 'slack' as const, status: 'sent' as const }),
        notifyTeams: async () => ({ channel: 'teams' as const, status: 'sent' as const }),
        emailRole: sent,
        probeCertificate: async () => ({
          trusted: true,
          validTo: new Date(expiresAt).toISOString(),
          fingerprint256: '',
        }),
        servicenowUpsertIncident: async () => ({
          correlationId: 'c',
          number: 'INC1',
          sysId: 's1',
          outcome: 'inserted' as const,
        }),
        servicenowUpsertChangeRequest: async () => ({ number: 'CHG1', sysId: 'chg-1' }),
        servicenowCloseChangeRequest: async () => undefined,
      } satisfies Partial<Activities>,
    });
    running = worker.run();
  });
  after(async () => {
    useAuditWriter(() => {});
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  let expiresAt = 0;

  it('names the person of each update and signal, the refusal reason, and who escalated', async () => {
    expiresAt = (await env.currentTimeMs()) + 13 * DAY; // level 1 (T-14) fires at once
    const workflowId = 'certificate-renewal-audit.example.com';
    const handle = await env.client.workflow.start(certificateRenewal, {
      taskQueue: 'audit-sink-tests',
      workflowId,
      args: [{ host: 'audit.example.com', expiresAt: new Date(expiresAt).toISOString() }],
    });
    await env.sleep(60_000);
    await handle.executeUpdate(renewalActions.acknowledge.update, { args: [{ who: 'dana', note: 'on it' }] });
    await assert.rejects(
      handle.executeUpdate(renewalActions.snooze.update, { args: [{ who: 'lee', until: 'tomorrow' }] }),
    );
    await handle.signal(renewalActions.escalateNow.signal, { who: 'kim', reason: 'vendor silent' });
    await env.sleep(60_000);
    await handle.executeUpdate(renewalActions.cancel.update, { args: [{ who: 'dana', reason: 'done' }] });
    await handle.result();

    const runId = handle.firstExecutionRunId;
    const mine = lines.filter((l) => l.workflowId === workflowId);
    for (const l of mine) {
      assert.equal(l.runId, runId);
      // Escalations name the renewal's connector; signals and updates take the run's Connector
      // search attribute, which the renewal sets itself.
      assert.equal(l.connector, 'erpnext');
    }
    const summary = mine.map((l) => [l.actor, l.action, l.outcome, l.detail?.level ?? null]);
    assert.deepEqual(summary, [
      ['workflow', 'escalate', 'escalated', 1],
      ['dana', 'update:acknowledge', 'accepted', null],
      ['lee', 'update:snooze', 'rejected', null],
      ['kim', 'signal:escalateNow', 'received', null],
      ['kim', 'escalate', 'escalated', 2],
      ['dana', 'update:cancel', 'accepted', null],
    ]);
    assert.match(String(mine[2]?.detail?.reason), /until/i, 'the refusal names what was wrong');
    const escalations = mine.filter((l) => l.action === 'escalate');
    assert.ok(escalations.every((l) => l.target === 'audit.example.com'));
  });
});
