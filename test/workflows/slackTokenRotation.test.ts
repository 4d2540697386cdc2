// Slack token rotation on the time-skipping server against the Slack simulator: the singleton
// refreshes ahead of the 12-hour expiry on a durable timer, the token lives only in the 0600 store
// (never in history), and a failed refresh is announced with the still-working token.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import type { SlackTokenRecord } from '../../src/vendors/slackTokenStore';
import { SLACK_TOKEN_ROTATION_ID } from '../../src/workflows/slackTokenRotation';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { slackTokenRotation } from '../../src/workflows';

describe('slackTokenRotation workflow', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let dir: string;
  let worker: WorkerGroup;
  let running: Promise<void>;
  const taskQueue = 'slack-rotation';

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    dir = mkdtempSync(join(tmpdir(), 'slack-token-'));
    const config = testConfig(simulators.env, {
      SLACK_CLIENT_ID: 'sim-client-id',
      SLACK_CLIENT_SECRET: 'sim-client-secret',
      SLACK_REFRESH_TOKEN: 'xoxe-1-sim-initial',
      SLACK_TOKEN_STORE: join(dir, 'slack-token.json'),
    });
    worker = await createTestWorker(env, {
      taskQueue,
      activities: createActivities(activityDepsFromConfig(config)),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await simulators?.stop();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = () => JSON.parse(readFileSync(join(dir, 'slack-token.json'), 'utf8')) as SlackTokenRecord;
  const rotation = async () =>
    (await admin(simulators.sims.slack.url, 'rotation', undefined, caPem)) as { refreshes: number };

  it('refreshes at once, again before the 12-hour expiry, keeps the token out of history, and alerts on failure', async () => {
    const handle = await env.client.workflow.start(slackTokenRotation, {
      taskQueue,
      workflowId: SLACK_TOKEN_ROTATION_ID,
      args: [{}],
    });
    await eventually(rotation, (r) => r.refreshes === 1);
    const first = await eventually(
      async () => {
        try {
          return stored();
        } catch {
          return undefined;
        }
      },
      (r) => r !== undefined,
    );
    assert.equal(statSync(join(dir, 'slack-token.json')).mode & 0o777, 0o600);
    assert.equal(Date.parse(first!.expiresAt) - Date.parse(first!.refreshedAt), 12 * 3600_000);

    await env.sleep('9 hours');
    assert.equal((await rotation()).refreshes, 1, 'not yet: 3 hours of the token are left');
    await env.sleep('2 hours');
    await eventually(rotation, (r) => r.refreshes === 2);
    await eventually(
      async () => stored().accessToken,
      (t) => t !== first!.accessToken,
    );

    // Slack's token endpoint fails: the alert goes out with the token that still works.
    await admin(simulators.sims.slack.url, 'faults', { status: 500, path: '/api/oauth.v2.access' }, caPem);
    await env.sleep('11 hours');
    const alerts = await eventually(
      async () =>
        ((await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[]).filter(
          (m) => m.text.includes('Slack token refresh failed'),
        ),
      (a) => a.length > 0,
    );
    assert.match(alerts[0]!.text, /The current token works until/);

    const history = JSON.stringify((await handle.fetchHistory()).events);
    assert.ok(!history.includes('xoxe'), 'no token (access or refresh) in history');
    await handle.terminate('test over');
  });
});
