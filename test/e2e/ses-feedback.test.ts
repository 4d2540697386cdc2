// SES end to end on the dev server: the digest e-mailed over the SES v2 API to the SES simulator,
// the simulator's mailbox-simulator bounces published through SNS (subscription confirmed first)
// to the real ingress, the sesFeedback workflow suppressing the address and judging the bounce
// rate. What SES received is read from the simulator; what the list holds from the workflow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { Agent } from 'undici';
import { createEmailActivities, type EmailDeps } from '../../src/activities/email';
import type { Alert } from '../../src/domain/alert';
import type { Digest } from '../../src/domain/digest';
import { SES_FEEDBACK_WORKFLOW_ID, type Reputation, type Suppression } from '../../src/domain/sesFeedback';
import { createIngress } from '../../src/ingress';
import { loadIngressConfig } from '../../src/ingress/config';
import { SesClient } from '../../src/vendors/ses';
import { addressKey } from '../../src/vendors/sesAddress';
import { dailyDigest } from '../../src/workflows';
import { reputationQuery, suppressionsQuery } from '../../src/workflows/sesFeedback';
import { createLocalCa } from '../../simulators/kit/local-ca';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { SES_SIM_ACCESS_KEY_ID, startSesSimulator, type SentEmail } from '../../simulators/ses/server';
import { createSnsSigningKey, signSnsMessage, type SignedSnsMessage } from '../../simulators/ses/sns';
import { stubActivities } from '../helpers/stubActivities';
import { createTestWorker, devServer } from '../helpers/temporal';
import { recordHistory } from '../helpers/history';
import { eventually } from '../helpers/waitFor';

const TASK_QUEUE = 'ses-feedback-e2e';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-feedback';

const digest: Digest = {
  since: '2026-11-29T09:00:00.000Z',
  until: '2026-11-30T09:00:00.000Z',
  connectors: [],
  notes: [],
};

const list = (n: number, tag: string) => [
  ...Array.from({ length: n }, (_, i) => `ops-${tag}-${i}@example.com`),
  `bounce+${tag}@simulator.amazonses.com`,
];

describe('e2e: SES digest e-mail, SNS feedback, suppression and the reputation guard', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let ses: HttpSimulator;
  let ingress: ReturnType<typeof createIngress>;
  let ingressUrl: string;
  let dir: string;
  let caPem: string;
  const alerts: Alert[] = [];
  const deps: EmailDeps = { recipients: {} };

  const sesClient = (configurationSet: string) =>
    new SesClient({
      region: 'us-east-1',
      endpoint: ses.url,
      accessKeyId: SES_SIM_ACCESS_KEY_ID,
      secretAccessKey: 'sim-secret',
      from: 'integrations@example.com',
      configurationSet,
      extraCaPem: caPem,
    });
  const adminFetch = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${ses.url}/__admin/ses/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
    });
    return (await response.json()) as T;
  };
  const feedback = () => env.client.workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID);
  const reputation = async (set: string) =>
    (await feedback().query(reputationQuery)).find((r: Reputation) => r.configurationSet === set);
  const suppressions = () => feedback().query(suppressionsQuery);
  const postSns = (message: SignedSnsMessage) =>
    fetch(`${ingressUrl}/ses/sns`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': message.Type },
      body: JSON.stringify(message),
    });
  const cli = async (...args: string[]) =>
    (
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli.ts'), ...args],
        {
          env: { ...process.env, TEMPORAL_ADDRESS: env.address, LOG_LEVEL: 'silent' },
          timeout: 60_000,
        },
      )
    ).stdout;
  const runDigest = async (id: string) =>
    env.client.workflow.execute(dailyDigest, {
      taskQueue: TASK_QUEUE,
      workflowId: id,
      args: [{ hours: 24 }],
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ses-e2e-'));
    const ca = await createLocalCa(join(dir, 'ca'));
    caPem = ca.caPem;
    ses = await startSesSimulator({
      tls: { ca },
      sandbox: true,
      verified: ['example.com'],
      maxSendRate: 1000,
    });
    env = await devServer();
    const host = new URL(ses.url).host;
    ingress = createIngress(
      loadIngressConfig({
        LOG_LEVEL: 'silent',
        AUDIT_LOG: 'off',
        TASK_QUEUE,
        SLACK_SIGNING_SECRET: 'unused',
        SLACK_BOT_TOKEN: 'unused',
        TLS_CA_FILE: ca.caFile,
        SES_SNS_TOPIC_ARNS: TOPIC,
        SES_SNS_CERT_HOST_PATTERN: `^${host.replace(/\./g, '\\.')}$`,
      }),
      env.client,
    );
    ingressUrl = await ingress.app.listen({ port: 0, host: '127.0.0.1' });
    const record = async (alert: Alert) => {
      alerts.push(alert);
      return { channel: 'slack', status: 'sent' } as const;
    };
    worker = await createTestWorker(env, {
      taskQueue: TASK_QUEUE,
      activities: {
        ...stubActivities,
        ...createEmailActivities(deps),
        notifySlack: record,
        collectDigest: async () => digest,
        postDigestSlack: async () => ({ channel: 'slack', status: 'skipped' }),
        postDigestTeams: async () => ({ channel: 'teams', status: 'skipped' }),
      },
    });
    running = worker.run();
    await adminFetch('subscribe', {
      topicArn: TOPIC,
      endpoint: `${ingressUrl}/ses/sns`,
      signatureVersion: '2',
    });
    await eventually(
      () => adminFetch<{ confirmed: boolean }[]>('subscriptions'),
      (subs) => subs[0]?.confirmed === true,
      { what: 'the ingress to confirm the SNS subscription' },
    ).catch(async (err) => {
      console.log(await adminFetch('deliveries'));
      throw err;
    });
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await ingress?.app.close();
    await env?.teardown();
    await ses?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('suppresses the bouncing address of the digest list and the next digest skips it', async () => {
    deps.client = sesClient('digest-list');
    deps.configurationSet = 'digest-list';
    deps.digestTo = [...list(29, 'list'), 'stranger@unverified.test'];
    const bouncing = 'bounce+list@simulator.amazonses.com';

    const first = await runDigest('ses-digest-1');
    assert.deepEqual(first.posted.email, { status: 'sent', sent: 30, suppressed: 0 });
    const suppressed = await eventually(
      suppressions,
      (l) => l.some((s: Suppression) => s.addressKey === addressKey(bouncing)),
      {
        what: 'the bounce to reach the suppression list',
      },
    );
    assert.deepEqual(
      suppressed.map((s) => [s.hint, s.reason]),
      [['b…@simulator.amazonses.com', 'permanent-bounce']],
    );
    // 1 bounce in 30 sends (the sandbox refused the unverified one): over 2%, under 4%.
    const r = await eventually(
      () => reputation('digest-list'),
      (x) => x?.level === 'warn',
    );
    assert.equal(r!.sent, 30);
    await eventually(
      async () => alerts,
      (a) => a.some((x) => x.title === 'SES reputation warning (digest-list)'),
    );

    const second = await runDigest('ses-digest-2');
    assert.deepEqual(second.posted.email, { status: 'sent', sent: 29, suppressed: 1 });
    const sent = await adminFetch<SentEmail[]>('messages');
    assert.equal(sent.filter((m) => m.to.includes(bouncing)).length, 1, 'SES got the bouncing address once');
    assert.equal(sent.filter((m) => m.to[0] === 'ops-list-0@example.com').length, 2);
    assert.deepEqual(sent[0]!.tags, { connector: 'platform', kind: 'digest' });
    assert.equal(sent[0]!.configurationSet, 'digest-list');

    // An operator lists and lifts it from the CLI; then it is off the list.
    const listed = await cli('ses', 'suppressions', 'list');
    assert.match(listed, /^b…@simulator\.amazonses\.com\s+permanent-bounce\s/m);
    assert.match(await cli('ses', 'suppressions', 'lift', bouncing, '--who', 'Dana'), /^lifted b…@simulator/);
    assert.ok(!(await suppressions()).some((s) => s.addressKey === addressKey(bouncing)));
  });

  it('a forged message, a certificate from an untrusted host and a replayed MessageId change nothing', async () => {
    const { port, hostname } = new URL(ses.url);
    const otherName = hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const bounceOf = (address: string, type: 'Permanent' | 'Transient') => ({
      eventType: 'Bounce',
      bounce: {
        bounceType: type,
        bouncedRecipients: [{ emailAddress: address }],
        timestamp: new Date().toISOString(),
      },
      mail: { tags: { 'ses:configuration-set': ['digest-security'] } },
    });
    // A genuine transient bounce through the simulator: counted once.
    const [genuine] = await adminFetch<SignedSnsMessage[]>('publish', {
      event: bounceOf('soft@example.com', 'Transient'),
    });
    await eventually(
      () => reputation('digest-security'),
      (r) => r?.bounces === 1,
    );

    const replay = await postSns(genuine!);
    assert.equal(replay.status, 200, 'a replay is acknowledged (SNS would retry otherwise)');
    const forged = await postSns({
      ...genuine!,
      Message: JSON.stringify(bounceOf('victim@example.com', 'Permanent')),
    });
    assert.equal(forged.status, 401);
    const outsider = await createSnsSigningKey();
    const untrusted = signSnsMessage(
      {
        Type: 'Notification',
        MessageId: 'untrusted-1',
        TopicArn: TOPIC,
        Message: JSON.stringify(bounceOf('victim@example.com', 'Permanent')),
        Timestamp: new Date().toISOString(),
      },
      outsider,
      // The same server under another name: off the trusted pattern, so never fetched.
      `https://${otherName}:${port}/SimpleNotificationService-simulator.pem`,
      '2',
    );
    assert.equal((await postSns(untrusted)).status, 401);
    const otherTopic = { ...genuine!, TopicArn: 'arn:aws:sns:us-east-1:999999999999:not-ours' };
    assert.equal((await postSns(otherTopic)).status, 401);

    // A second genuine bounce after them: once it counts, everything before it was handled.
    await adminFetch('publish', { event: bounceOf('soft2@example.com', 'Transient') });
    const r = await eventually(
      () => reputation('digest-security'),
      (x) => (x?.bounces ?? 0) >= 2,
    );
    assert.equal(r!.bounces, 2, 'the replay was not counted again');
    const list = await suppressions();
    assert.ok(
      !list.some((s) => s.addressKey === addressKey('victim@example.com')),
      'nothing forged was suppressed',
    );
    assert.ok(
      !list.some((s) => s.addressKey === addressKey('soft@example.com')),
      'one transient bounce does not suppress',
    );
  });

  it('a bounce rate of 4.3% pauses the digest e-mail and alerts Platform Engineering', async () => {
    deps.client = sesClient('digest-rate');
    deps.configurationSet = 'digest-rate';
    deps.digestTo = list(22, 'rate');

    const first = await runDigest('ses-digest-rate-1');
    assert.deepEqual(first.posted.email, { status: 'sent', sent: 23, suppressed: 0 });
    const r = await eventually(
      () => reputation('digest-rate'),
      (x) => x?.level === 'paused',
      {
        what: 'the 1-in-23 bounce to pause the configuration set',
      },
    );
    assert.equal(r!.bounces, 1);
    const alert = await eventually(
      async () => alerts.find((a) => a.title === 'SES reputation: non-critical mail paused (digest-rate)'),
      (a) => a !== undefined,
    );
    assert.equal(alert!.severity, 'critical');
    assert.match(alert!.summary, /Platform Engineering: bounce rate 4\.3%/);

    const before = (await adminFetch<SentEmail[]>('messages')).length;
    const second = await runDigest('ses-digest-rate-2');
    assert.deepEqual(second.posted.email, { status: 'paused' });
    assert.equal((await adminFetch<SentEmail[]>('messages')).length, before, 'SES received nothing');
    await recordHistory(env.client.workflow.getHandle('ses-digest-rate-2'), 'dailyDigest-email-paused-e2e');
    await recordHistory(feedback(), 'sesFeedback-e2e');
  });

  it('a list send throttled by SES resumes after the last message sent: nobody gets it twice', async () => {
    deps.client = sesClient('digest-throttle');
    deps.configurationSet = 'digest-throttle';
    deps.digestTo = Array.from({ length: 12 }, (_, i) => `ops-throttle-${i}@example.com`);
    await adminFetch('rate', { maxSendRate: 3 });
    try {
      const run = await runDigest('ses-digest-throttle');
      assert.deepEqual(run.posted.email, { status: 'sent', sent: 12, suppressed: 0 });
    } finally {
      await adminFetch('rate', { maxSendRate: 1000 });
    }
    const sent = (await adminFetch<SentEmail[]>('messages')).filter(
      (m) => m.configurationSet === 'digest-throttle',
    );
    assert.deepEqual(sent.map((m) => m.to[0]).sort(), [...deps.digestTo].sort(), 'each address exactly once');
    const throttled = await env.client.workflow.getHandle('ses-digest-throttle').fetchHistory();
    const retried = throttled.events!.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
    assert.ok(retried, 'SES throttled the send at least once');
  });
});
