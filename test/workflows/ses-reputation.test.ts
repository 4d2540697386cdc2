// The SES reputation guard's alert reaches Platform Engineering for real: with the real
// notification and e-mail activities against the Slack and SMTP simulators, a 1-in-23 bounce rate
// (4.3%) pauses the set and its critical alert goes to Platform Engineering's Slack channel and is
// mailed to PLATFORM_ENGINEERING_EMAIL; the operators' channel and ALERT_EMAIL_TO do not get it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { SES_FEEDBACK, type FeedbackEvent, type Reputation } from '../../src/domain/sesFeedback';
import type { WorkerGroup } from '../../src/workerGroup';
import { sesFeedback } from '../../src/workflows';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';

const QUEUE = 'ses-reputation';
const PLATFORM = 'platform-eng@example.com';
const PAUSED = 'SES reputation: non-critical mail paused (digest)';

describe('SES reputation guard: Platform Engineering is alerted', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let worker: WorkerGroup;
  let running: Promise<void>;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const config = testConfig(simulators.env, {
      PLATFORM_ENGINEERING_EMAIL: PLATFORM,
      SLACK_PLATFORM_ENGINEERING_CHANNEL: '#platform-engineering',
    });
    worker = await createTestWorker(env, {
      taskQueue: QUEUE,
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

  it('a 4.3% bounce rate: the pause alert goes to their Slack channel and their address', async () => {
    const handle = await env.client.workflow.start(sesFeedback, {
      taskQueue: QUEUE,
      workflowId: 'ses-feedback-reputation-test',
      args: [{}],
    });
    await handle.signal(SES_FEEDBACK.sent, { configurationSet: 'digest', count: 23 });
    const bounce: FeedbackEvent = {
      messageId: 'sns-1',
      kind: 'permanent-bounce',
      addressKey: 'a'.repeat(64),
      hint: 'b…@example.com',
      configurationSet: 'digest',
      at: new Date(await env.currentTimeMs()).toISOString(),
    };
    await handle.signal(SES_FEEDBACK.feedback, [bounce]);

    const [r] = await eventually(
      () => handle.query<Reputation[]>(SES_FEEDBACK.reputation),
      (all) => all[0]?.level === 'paused',
    );
    assert.equal(r!.bounces, 1);
    assert.equal(r!.sent, 23);

    const slack = await eventually(
      async () =>
        (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
          channel: string;
          text: string;
        }[],
      (m) => m.some((x) => x.text.includes(PAUSED)),
      { what: 'the pause alert in Slack' },
    );
    const posted = slack.filter((m) => m.text.includes(PAUSED));
    assert.deepEqual(
      posted.map((m) => m.channel.replace(/^#/, '')),
      ['platform-engineering'],
    );
    assert.match(posted[0]!.text, /Platform Engineering: bounce rate 4\.3%/);

    const mail = await eventually(
      async () =>
        (await admin(simulators.sims.smtp.admin.url, 'messages', undefined, caPem)) as {
          to: string[];
          subject: string;
          text: string;
        }[],
      (m) => m.some((x) => x.subject.includes(PAUSED)),
      { what: 'the pause alert by e-mail' },
    );
    const mailed = mail.filter((m) => m.subject.includes(PAUSED));
    assert.equal(mailed.length, 1);
    assert.deepEqual(mailed[0]!.to, [PLATFORM]);
    assert.equal(mailed[0]!.subject, `[CRITICAL] ${PAUSED}`);
    assert.match(mailed[0]!.text, /• Open in Temporal: \S+\/workflows\/ses-feedback-reputation-test\//);
    await handle.terminate('test over');
  });
});
