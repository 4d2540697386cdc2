// The audit trail as a SIEM would read it: the worker runs as a process with AUDIT_LOG pointing at
// a file; runs write to ServiceNow, Slack and Teams (one started by hand, one by a schedule) and a
// person opens a breaker by signal. Every write is two lines, `sent` before the request and its
// outcome after, each matching a write the simulators received, with the actor, workflow and run
// that caused it; the signal line names the person.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AuditRecord } from '../../src/audit';
import { secretValues } from '../../src/config';
import { applySchedules, CONNECTOR_KEY } from '../../src/schedules';
import { openBreaker } from '../../src/workflows/circuitBreaker';
import { ServicenowSimAccess } from '../helpers/servicenow';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { devServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { circuitBreaker, openIncident } from '../../src/workflows';

interface Recorded {
  method: string;
  path: string;
  status?: number;
}

/** The simulator endpoint each audited vendor write goes to. */
const WRITE_PATHS: Record<string, RegExp> = {
  'import.incident': /^\/api\/now\/import\/u_imp_incident$/,
  'chat.postMessage': /^\/api\/chat\.postMessage$/,
  'channelMessage.post': /\/teams\/[^/]+\/channels\/[^/]+\/messages$/,
};

describe('e2e: audit trail of vendor writes and signals', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let worker: WorkerProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const auditFile = join(dir, 'audit.jsonl');

  before(async () => {
    env = await devServer();
    simulators = await startTestSimulators();
  });
  after(async () => {
    await worker?.stop();
    await simulators?.stop();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one line per vendor write and per signal, matching what the vendors received', async () => {
    const taskQueue = 'audit-trail-e2e';
    worker = startWorkerProcess({
      ...simulators.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      AUDIT_LOG: auditFile,
    });
    const caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const sn = new ServicenowSimAccess(simulators.sims.servicenow.url, caPem);
    await applySchedules(env.client, taskQueue, 'UTC');
    // Paused, so its own */5 firing cannot race the trigger below for the incident (a trigger runs).
    await env.client.schedule.getHandle('servicenow-incident-sync').pause('audit e2e: only when triggered');

    // Started by hand: one incident through the Import Set.
    await sn.setClock('2024-06-01 12:00:00');
    const opened = await env.client.workflow.start(openIncident, {
      taskQueue,
      workflowId: 'audit-open-incident',
      args: [{ sourceSystem: 'erpnext', sourceId: 'audit-e2e', title: 'Audit check', severity: 'high' }],
    });
    const ref = await opened.result();

    // Started by the schedule: the sync sees the new P2 incident and announces it in Slack and Teams.
    await sn.setClock('2024-06-01 12:01:00');
    const schedule = env.client.schedule.getHandle('servicenow-incident-sync');
    const triggeredAt = Date.now();
    await schedule.trigger(ScheduleOverlapPolicy.SKIP);
    const syncId = await waitFor('the scheduled sync', async () => {
      const recent = (await schedule.describe()).info.recentActions;
      return recent.find((a) => a.takenAt.getTime() >= triggeredAt - 1000)?.action.workflow.workflowId;
    });
    const sync = await env.client.workflow.getHandle(syncId).result();
    assert.equal(sync.notified, 1);

    // A person opens a breaker.
    const breaker = await env.client.workflow.start(circuitBreaker, {
      taskQueue,
      workflowId: 'breaker-tableau',
      args: [{ connector: 'tableau' }],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'tableau' }],
    });
    await breaker.signal(openBreaker, { by: 'dana', reason: 'vendor maintenance window' });

    // The signal line, the breaker's announcements, and an outcome for every write sent by then.
    const writeKey = (l: AuditRecord) => `${l.runId} ${l.action} ${l.target} ${l.detail?.attempt}`;
    const lines = await waitFor('the signal line and every write answered', async () => {
      const parsed = readFileSync(auditFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditRecord);
      const answered = new Set(parsed.filter((l) => l.outcome !== 'sent').map(writeKey));
      const settled = parsed.every((l) => l.outcome !== 'sent' || answered.has(writeKey(l)));
      // The breaker announces its opening in Slack and Teams after the signal line is written.
      const breakerAnnounced = ['chat.postMessage', 'channelMessage.post'].every((action) =>
        parsed.some(
          (l) => l.workflowId === 'breaker-tableau' && l.action === action && l.outcome === 'success',
        ),
      );
      return settled && breakerAnnounced && parsed.some((l) => l.action === 'signal:open')
        ? parsed
        : undefined;
    });

    for (const line of lines) {
      assert.ok(!Number.isNaN(Date.parse(line.ts)), `ts of ${JSON.stringify(line)}`);
      assert.ok(line.workflowId && line.runId && line.actor && line.connector, JSON.stringify(line));
    }

    // Every write the vendor received has a `sent` line and an outcome line, and nothing else does.
    const all = lines.filter((l) => l.action in WRITE_PATHS);
    const writes = all.filter((l) => l.outcome !== 'sent');
    assert.deepEqual(
      lines.filter((l) => !(l.action in WRITE_PATHS) && !l.action.startsWith('signal:')),
      [],
      'only writes and signals are audited (reads are not)',
    );
    const received: Record<string, Recorded[]> = {
      'import.incident': await sn.requests(),
      'chat.postMessage': (await admin(
        simulators.sims.slack.url,
        'requests',
        undefined,
        caPem,
      )) as Recorded[],
      'channelMessage.post': (await admin(
        simulators.sims.graph.url,
        'requests',
        undefined,
        caPem,
      )) as Recorded[],
    };
    for (const [action, path] of Object.entries(WRITE_PATHS)) {
      const sent = received[action]!.filter((r) => r.method === 'POST' && path.test(r.path));
      const ok = sent.filter((r) => (r.status ?? 0) >= 200 && (r.status ?? 0) < 300);
      const audited = writes.filter((l) => l.action === action);
      assert.ok(audited.length > 0, `no audit line for ${action}`);
      assert.equal(audited.filter((l) => l.outcome === 'success').length, ok.length, `${action}: successes`);
      assert.equal(audited.length, sent.length, `${action}: one outcome line per request sent`);
      const intents = all.filter((l) => l.action === action && l.outcome === 'sent');
      const key = (l: AuditRecord) => `${l.runId} ${l.target} ${l.detail?.attempt}`;
      assert.deepEqual(
        intents.map(key).sort(),
        audited.map(key).sort(),
        `${action}: a sent line per outcome`,
      );
    }

    const incident = writes.find((l) => l.action === 'import.incident');
    assert.deepEqual(
      { ...incident, ts: undefined, detail: undefined },
      {
        ts: undefined,
        actor: 'workflow',
        connector: 'servicenow',
        workflowId: 'audit-open-incident',
        runId: opened.firstExecutionRunId,
        action: 'import.incident',
        target: ref.correlationId,
        outcome: 'success',
        detail: undefined,
      },
    );
    assert.equal((await sn.list('incident', `correlation_id=${incident!.target}`)).length, 1);

    const slackMessages = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      channel: string;
    }[];
    const slackLines = writes.filter((l) => l.action === 'chat.postMessage');
    assert.deepEqual(
      slackLines.map((l) => l.target.replace(/^#/, '')), // Slack stores channel names without '#'
      slackMessages.map((m) => m.channel),
    );
    // The sync's announcements carry the schedule as actor; a breaker announces its own transitions.
    const chat = all.filter((l) => l.action === 'chat.postMessage' || l.action === 'channelMessage.post');
    const announcing = chat.filter((l) => !l.workflowId.startsWith('breaker-'));
    assert.ok(announcing.length > 0, 'the sync announced');
    for (const line of announcing) {
      assert.equal(line.actor, 'schedule:servicenow-incident-sync', JSON.stringify(line));
      assert.equal(line.workflowId, syncId);
    }

    const signal = lines.find((l) => l.action === 'signal:open');
    assert.deepEqual(
      { ...signal, ts: undefined },
      {
        ts: undefined,
        actor: 'dana',
        connector: 'tableau',
        workflowId: 'breaker-tableau',
        runId: breaker.firstExecutionRunId,
        action: 'signal:open',
        target: 'breaker-tableau',
        outcome: 'received',
      },
    );

    const text = readFileSync(auditFile, 'utf8');
    for (const secret of secretValues(testConfig(simulators.env)))
      assert.ok(!text.includes(secret), 'a secret leaked into the audit trail');
    assert.ok(!text.includes('vendor maintenance window'), 'free text from a signal is not audited');
    assert.equal(await worker.stop(), 0, worker.output());
    worker = undefined;
  });
});
