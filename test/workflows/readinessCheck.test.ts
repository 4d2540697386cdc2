// The readiness check against the real simulators on Temporal's time-skipping server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import type { Config } from '../../src/config';
import type { ReadinessReport } from '../../src/workflows/readinessCheck';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, endLongLivedRuns, timeSkippingServer } from '../helpers/temporal';
import { readinessCheck } from '../../src/workflows';

interface PostedMessage {
  text?: string;
  body?: { content?: string };
  attachments?: { content: string }[];
}

describe('readinessCheck workflow', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
  });
  after(async () => {
    await simulators?.stop();
    await env?.teardown();
  });
  beforeEach(async () => {
    for (const sim of [simulators.sims.slack, simulators.sims.graph, simulators.sims.erpnext]) {
      await admin(sim.url, 'reset', {}, caPem);
    }
  });

  // Renewals are left out here: on the time-skipping server a started renewal would race through
  // its days of timers. The dev-server e2e test covers readiness check → renewal.
  async function runCheck(config: Config, input: object = {}): Promise<ReadinessReport> {
    const taskQueue = `readiness-${++run}`;
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: createActivities(activityDepsFromConfig(config)),
    });
    try {
      return await worker.runUntil(
        env.client.workflow.execute(readinessCheck, {
          taskQueue,
          workflowId: `readiness-test-${run}`,
          args: [{ startRenewals: false, ...input }],
        }),
      );
    } finally {
      await endLongLivedRuns(env); // they ran on this run's task queue
    }
  }

  const messages = async (url: string) => (await admin(url, 'messages', undefined, caPem)) as PostedMessage[];

  it('reports every connector healthy and posts one summary to Slack and to Teams', async () => {
    const report = await runCheck(testConfig(simulators.env));
    assert.equal(report.status, 'ok');
    assert.deepEqual(
      report.connectors.map((c) => [c.connector, c.status]),
      [
        ['erpnext', 'ok'],
        ['erpnext-eu', 'ok'],
        ['salesforce', 'ok'],
        ['servicenow', 'ok'],
        ['sftp', 'ok'],
        ['slack', 'ok'],
        ['teams', 'ok'],
        ['twilio', 'ok'],
        ['workday', 'ok'],
        ['zoom', 'ok'],
      ],
    );
    const erpnext = report.connectors[0]!;
    assert.equal(erpnext.tls?.trusted, true);
    assert.ok(erpnext.tls!.daysToExpiry > 300, `ERPNext certificate valid ${erpnext.tls!.daysToExpiry} days`);
    assert.deepEqual(report.notified, { slack: 'sent', teams: 'sent' });
    const [slack] = await messages(simulators.sims.slack.url);
    assert.match(slack?.text ?? '', /Readiness check: OK/);
    const [teams] = await messages(simulators.sims.graph.url);
    const card = JSON.parse(teams!.attachments![0]!.content) as { type: string; body: { text?: string }[] };
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.body[0]!.text, 'Readiness check: OK');
  });

  it('warns about a certificate that expires in 10 days, from a real TLS handshake', async () => {
    const notAfter = new Date(Date.now() + 10 * 86_400_000 + 3_600_000);
    await admin(simulators.sims.erpnext.url, 'certificate', { notAfter: notAfter.toISOString() }, caPem);
    const report = await runCheck(testConfig(simulators.env));
    const erpnext = report.connectors.find((c) => c.connector === 'erpnext')!;
    assert.equal(erpnext.status, 'warn');
    assert.equal(erpnext.tls?.daysToExpiry, 10);
    assert.equal(erpnext.tls?.validTo.slice(0, 16), notAfter.toISOString().slice(0, 16));
    assert.equal(report.status, 'warn');
    const [slack] = await messages(simulators.sims.slack.url);
    assert.match(slack?.text ?? '', /erpnext: ⚠️ certificate expires in 10 days/);
  });

  it('fails rejected credentials and unreachable endpoints without failing the run', async () => {
    const config = testConfig(simulators.env, {
      ERPNEXT_API_SECRET: 'wrong-secret',
      GRAPH_LOGIN_URL: 'https://127.0.0.1:1/',
    });
    const report = await runCheck(config, { connectors: ['erpnext', 'slack'] });
    const erpnext = report.connectors.find((c) => c.connector === 'erpnext')!;
    assert.equal(erpnext.status, 'fail');
    assert.equal(erpnext.reachable, true);
    assert.equal(erpnext.credentialsAccepted, false);
    assert.match(erpnext.reasons[0]!, /credentials rejected: erpnext: HTTP 401/);
    assert.equal(report.status, 'fail');
    // Teams' login endpoint stays unreachable for the failover window: that alert goes by email;
    // Slack still gets it.
    assert.deepEqual(report.notified, { slack: 'sent', teams: 'emailed' });
    assert.equal((await messages(simulators.sims.slack.url)).length, 1);
  });

  it('delivers to Teams when Slack rejects the token, and to Slack through a 429 storm', async () => {
    const badSlack = testConfig(simulators.env, { SLACK_BOT_TOKEN: 'xoxb-revoked' });
    const first = await runCheck(badSlack, { connectors: ['erpnext'] });
    // A rejected token is not retried: the alert goes by email at once.
    assert.deepEqual(first.notified, { slack: 'emailed', teams: 'sent' });
    assert.equal((await messages(simulators.sims.graph.url)).length, 1);

    await admin(
      simulators.sims.slack.url,
      'faults',
      { status: 429, retryAfterSeconds: 2, times: 3, path: '/api/chat.postMessage' },
      caPem,
    );
    const second = await runCheck(testConfig(simulators.env), { connectors: ['erpnext'] });
    assert.equal(second.notified.slack, 'sent');
    assert.equal(
      (await messages(simulators.sims.slack.url)).length,
      1,
      'exactly one Slack message after the storm',
    );
  });
});
