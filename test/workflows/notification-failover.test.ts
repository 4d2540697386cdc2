// Slack down for more than the failover window: the alert goes out by email once, Teams still
// gets it, and when Slack recovers one summary of what it missed is posted there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { readinessCheck } from '../../src/workflows';

interface Email {
  to: string[];
  subject: string;
  text: string;
}

describe('notification failover to email', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
  });
  after(async () => {
    await simulators?.stop();
    await env?.teardown();
  });

  it('emails an alert Slack could not take for 15 minutes, then posts one summary when Slack is back', async () => {
    const { slack, graph, smtp } = simulators.sims;
    await admin(slack.url, 'faults', { status: 503, path: '/api/chat.postMessage' }, caPem);
    const worker = await createTestWorker(env, {
      taskQueue: 'failover',
      activities: createActivities(activityDepsFromConfig(testConfig(simulators.env))),
    });
    await worker.runUntil(async () => {
      const report = await env.client.workflow.execute(readinessCheck, {
        taskQueue: 'failover',
        workflowId: 'failover-readiness',
        args: [{ connectors: ['erpnext'], startRenewals: false }],
      });
      assert.deepEqual(report.notified, { slack: 'emailed', teams: 'sent' });
      const window = await slackGaveUpAfterMs(env);
      assert.ok(
        window >= 14 * 60_000 && window <= 15 * 60_000,
        `Slack retried for ${window / 60_000} minutes`,
      );

      const emails = (await admin(smtp.admin.url, 'messages', undefined, caPem)) as Email[];
      assert.equal(emails.length, 1, 'one email for the alert');
      assert.deepEqual(emails[0]!.to, ['integration-ops@example.com']);
      assert.match(emails[0]!.subject, /^\[INFO\] Readiness check: OK$/);
      assert.match(emails[0]!.text, /because slack delivery failed/);
      assert.equal(((await admin(graph.url, 'messages', undefined, caPem)) as unknown[]).length, 1);
      const attempts = ((await admin(slack.url, 'requests', undefined, caPem)) as { path: string }[]).filter(
        (r) => r.path === '/api/chat.postMessage',
      );
      assert.ok(attempts.length > 10, `Slack was tried ${attempts.length} times`);

      await admin(slack.url, 'reset', {}, caPem);
      const recovery = await env.client.workflow.getHandle('channel-recovery-slack').result();
      assert.equal(recovery.delivered, 1);
      const posted = (await admin(slack.url, 'messages', undefined, caPem)) as { text: string }[];
      assert.equal(posted.length, 1, 'exactly one summary');
      assert.match(posted[0]!.text, /Slack is back: 1 alerts went out by email meanwhile/);
      assert.match(posted[0]!.text, /info: Readiness check: OK/);
    });
  });
});

/** Workflow time from scheduling notifySlack to its timeout, read from the run's history. */
async function slackGaveUpAfterMs(env: TestWorkflowEnvironment): Promise<number> {
  const { events } = await env.client.workflow.getHandle('failover-readiness').fetchHistory();
  const seconds = (t: { seconds?: unknown } | null | undefined) => Number(t?.seconds ?? 0) * 1000;
  const scheduled = events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifySlack',
  );
  // The server ends the retries when the next attempt would start past the window.
  const gaveUp = events?.find((e) =>
    [e.activityTaskTimedOutEventAttributes, e.activityTaskFailedEventAttributes].some(
      (a) => a?.scheduledEventId?.toString() === scheduled?.eventId?.toString(),
    ),
  );
  assert.ok(scheduled && gaveUp, 'notifySlack was scheduled and given up');
  return seconds(gaveUp.eventTime) - seconds(scheduled.eventTime);
}
