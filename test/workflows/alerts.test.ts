// What people see in chat about a run, with the real notification activities against the Slack
// simulator: every alert names its run and links to it in the Web UI, says how to act, goes out
// once per event; a failed run is announced once with its reason; a cancel says who and why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { renewalActions } from '../../src/workflows/certificateRenewal/messages';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { certificateRenewal, deadLetterQueue, readinessCheck } from '../../src/workflows';

const UI = 'https://temporal.example.com';

describe('alerts about a run', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let worker: WorkerGroup;
  let running: Promise<void>;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const config = testConfig(simulators.env, { TEMPORAL_UI_URL: UI });
    worker = await createTestWorker(env, {
      taskQueue: 'alerts',
      activities: createActivities(activityDepsFromConfig(config)),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await simulators?.stop();
    await env?.teardown();
  });
  beforeEach(() => admin(simulators.sims.slack.url, 'reset', {}, caPem));

  const slackMessages = async () =>
    (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[];
  const titled = async (prefix: string, count: number) =>
    waitFor(`${count} Slack message(s) "${prefix}"`, async () => {
      const found = (await slackMessages()).filter((m) => m.text.split('\n')[0]!.includes(prefix));
      return found.length >= count ? found : undefined;
    });

  it('a renewal: each alert names and links its run, says how to act, once per event; cancel says who and why', async () => {
    const erpnext = new URL(simulators.sims.erpnext.url);
    // The endpoint serves the certificate being replaced: 10 days left.
    const served = (await admin(simulators.sims.erpnext.url, 'certificate', { daysValid: 10 }, caPem)) as {
      notAfter: string;
    };
    const expiresAt = Date.parse(served.notAfter);
    const handle = await env.client.workflow.start(certificateRenewal, {
      taskQueue: 'alerts',
      workflowId: 'renewal-alerts',
      args: [
        { host: erpnext.hostname, port: Number(erpnext.port), expiresAt: new Date(expiresAt).toISOString() },
      ],
    });
    const runLink = `${UI}/namespaces/default/workflows/renewal-alerts/${handle.firstExecutionRunId}`;
    // T-14 has passed: opened, then level 1 at once.
    const [escalation] = await titled('Escalation 1 (vendor-success-manager)', 1);
    assert.match(escalation!.text, /Send an Update `acknowledge` with \{"who":"<your name>"\}/);
    await handle.executeUpdate(renewalActions.cancel.update, {
      args: [{ who: 'lee@ops', reason: 'host moves to the new cluster' }],
    });
    const report = await handle.result();
    assert.deepEqual(report.cancelled, { who: 'lee@ops', reason: 'host moves to the new cluster' });
    const [cancelled] = await titled('Certificate renewal cancelled', 1);
    assert.match(cancelled!.text, /Cancelled by lee@ops: host moves to the new cluster/);

    const messages = await slackMessages();
    const titles = messages.map((m) => m.text.split('\n')[0]);
    assert.deepEqual(
      titles.map((t) => t!.replace(/^\S+ /, '')),
      [
        `Certificate renewal opened: ${erpnext.hostname}`,
        `Escalation 1 (vendor-success-manager): certificate of ${erpnext.hostname}`,
        `Certificate renewal cancelled: ${erpnext.hostname}`,
      ],
      'one message per event',
    );
    for (const m of messages) {
      assert.match(m.text, /• Run: renewal-alerts\n/);
      assert.ok(m.text.includes(`• Open in Temporal: ${runLink}`), `no run link in ${m.text}`);
    }
  });

  it('a failed run is announced once, with its reason, connector and link', async () => {
    const handle = await env.client.workflow.start(certificateRenewal, {
      taskQueue: 'alerts',
      workflowId: 'renewal-in-the-past',
      args: [{ host: 'erp.example.com', connector: 'erpnext', expiresAt: '2020-01-01T00:00:00Z' }],
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /expiresAt must be an ISO date-time in the future/);
      return true;
    });
    const runId = handle.firstExecutionRunId;
    await env.client.workflow.getHandle(`run-failed-${runId}`).result();
    const [failed, ...more] = await titled('Run failed: certificateRenewal (erpnext)', 1);
    assert.equal(more.length, 0, 'announced once');
    assert.match(failed!.text, /InvalidInput: expiresAt must be an ISO date-time in the future/);
    assert.ok(failed!.text.includes(`${UI}/namespaces/default/workflows/renewal-in-the-past/${runId}`));
  });

  it('a failed run that holds EU data is announced without its reason (the alert is not under the EU key)', async () => {
    const handle = await env.client.workflow.start(deadLetterQueue, {
      taskQueue: 'alerts',
      workflowId: 'dlq-erpnext-eu',
      // Input the schema refuses (at run time: the type allows only durations).
      args: [{ connector: 'erpnext-eu', retention: 'whenever' as never }],
    });
    await assert.rejects(handle.result(), WorkflowFailedError);
    const runId = handle.firstExecutionRunId;
    await env.client.workflow.getHandle(`run-failed-${runId}`).result();
    const [failed] = await titled('Run failed: deadLetterQueue (erpnext-eu)', 1);
    assert.ok(!failed!.text.includes('whenever') && !/retention/.test(failed!.text), failed!.text);
    assert.match(failed!.text, /dlq-erpnext-eu holds EU data: its reason stays under the EU key/);
    assert.ok(failed!.text.includes(`${UI}/namespaces/default/workflows/dlq-erpnext-eu/${runId}`));
  });

  it('a post Teams took but answered too late for us is not posted again on retry', async () => {
    const { graph } = simulators.sims;
    // (No reset here: it would also revoke the worker's Graph token.)
    const since = new Date().toISOString();
    await admin(graph.url, 'faults', { answerLatencyMs: 16_000, times: 1, path: '/v1.0/teams' }, caPem);
    await env.client.workflow.execute(readinessCheck, {
      taskQueue: 'alerts',
      workflowId: 'readiness-slow-teams',
      args: [{ connectors: ['erpnext'], startRenewals: false }],
    });
    const requests = (
      (await admin(graph.url, 'requests', undefined, caPem)) as {
        method: string;
        path: string;
        time: string;
      }[]
    ).filter((r) => r.time >= since);
    const posts = requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1.0/teams'));
    assert.equal(posts.length, 1, 'the retry found the first post and did not post again');
    assert.ok(
      requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1.0/teams')),
      'the retry looked first',
    );
    const messages = (await admin(graph.url, 'messages', undefined, caPem)) as {
      body: { content: string };
    }[];
    assert.equal(
      messages.filter((m) => m.body.content.includes('readiness-slow-teams')).length,
      1,
      'one message for the event',
    );
  });

  it('a post Slack took but answered too late for us is not posted again on retry', async () => {
    const slack = simulators.sims.slack.url;
    // Slack stores the message at once but answers after the client's 15 s timeout.
    await admin(slack, 'faults', { answerLatencyMs: 16_000, times: 1, path: '/api/chat.postMessage' }, caPem);
    await env.client.workflow.execute(readinessCheck, {
      taskQueue: 'alerts',
      workflowId: 'readiness-slow-slack',
      args: [{ connectors: ['erpnext'], startRenewals: false }],
    });
    const posts = ((await admin(slack, 'requests', undefined, caPem)) as { path: string }[]).filter(
      (r) => r.path === '/api/chat.postMessage',
    );
    assert.equal(posts.length, 1, 'the retry found the first post and did not post again');
    const looked = ((await admin(slack, 'requests', undefined, caPem)) as { path: string }[]).filter(
      (r) => r.path === '/api/conversations.history',
    );
    assert.equal(looked.length, 1, 'the first attempt failed and the retry looked first');
    const messages = (await slackMessages()).filter((m) => m.text.includes('Readiness check'));
    assert.equal(messages.length, 1, 'one message for the event');
  });
});
