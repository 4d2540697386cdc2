// SMS pages end to end on the time-skipping server: the real activities against the Twilio, Slack,
// Teams and SMTP simulators, the ingress's Twilio route signalling through Temporal. A T-3
// escalation pages on-call and its delivery is recorded; an undelivered page or one with no
// callback within the window goes out by email; over the daily cap only critical alerts page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { activityDepsFromConfig, createActivities, type Activities } from '../../src/activities';
import type { Alert } from '../../src/domain/alert';
import { createIngressMetrics } from '../../src/ingress/metrics';
import { createIngressServer } from '../../src/ingress/server';
import { clientGateway } from '../../src/ingress/temporal';
import { registerTwilioRoutes } from '../../src/ingress/twilio';
import { certificateRenewal, smsPage, twilioCostGuard } from '../../src/workflows';
import { smsPageStatus, type SmsPageReport } from '../../src/workflows/smsPage';
import { costGuardStatus } from '../../src/workflows/twilioCostGuard';
import { TWILIO_SIM, twilioSignature } from '../../simulators/twilio/server';
import { withDecodedPayloads } from '../helpers/history';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { freePort } from '../helpers/workerProcess';

const ONCALL = '+15551230001';
const QUEUE = 'sms-pages';

interface SimMessage {
  sid: string;
  to: string;
  body: string;
  status: string;
}
interface Email {
  to: string[];
  subject: string;
  text: string;
}

describe('SMS pages (Twilio)', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let ingress: FastifyInstance;
  let ingressUrl: string;
  let worker: WorkerGroup | undefined;
  let running: Promise<void> | undefined;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const port = await freePort();
    ingressUrl = `http://127.0.0.1:${port}`;
    const metrics = createIngressMetrics();
    ingress = createIngressServer(metrics);
    registerTwilioRoutes(ingress, {
      authToken: TWILIO_SIM.authToken,
      publicUrl: ingressUrl,
      temporal: clientGateway(env.client, QUEUE),
      metrics,
      log: pino({ level: 'silent' }),
    });
    await ingress.listen({ port, host: '127.0.0.1' });
  });
  after(async () => {
    await ingress?.close();
    await simulators?.stop();
    await env?.teardown();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
    for (const sim of [simulators.sims.twilio.url, simulators.sims.slack.url, simulators.sims.graph.url])
      await admin(sim, 'reset', {}, caPem);
  });

  const twilio = () => simulators.sims.twilio.url;
  const smsMessages = async () => (await admin(twilio(), 'messages', undefined, caPem)) as SimMessage[];
  const emails = async () =>
    (await admin(simulators.sims.smtp.admin.url, 'messages', undefined, caPem)) as Email[];

  async function startWorker(overrides: Record<string, string> = {}, extra: Partial<Activities> = {}) {
    const config = testConfig(simulators.env, {
      TWILIO_ONCALL_NUMBERS: `platform-oncall=${ONCALL}`,
      INGRESS_PUBLIC_URL: ingressUrl,
      ...overrides,
    });
    worker = await createTestWorker(env, {
      taskQueue: QUEUE,
      activities: { ...createActivities(activityDepsFromConfig(config)), ...extra },
    });
    running = worker.run();
  }

  const page = (alert: Alert) =>
    env.client.workflow.start(smsPage, {
      taskQueue: QUEUE,
      workflowId: `sms-page-test-${++run}`,
      args: [{ alert }],
    });
  const pageStatus = (workflowId: string) => env.client.workflow.getHandle(workflowId).query(smsPageStatus);
  /** The page's current details, as the Web UI shows them. */
  const pageDetails = async (workflowId: string) =>
    (
      await env.client.workflow
        .getHandle(workflowId)
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata')
    ).currentDetails ?? '';
  /** A status callback as Twilio posts it, signed with the account's token. */
  const postCallback = async (pageId: string, params: Record<string, string>) => {
    const url = `${ingressUrl}/twilio/status?page=${encodeURIComponent(pageId)}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TWILIO_SIM.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return response.status;
  };
  const advanceTwilioClock = (seconds: number) =>
    admin(twilio(), 'clock', { advanceSeconds: seconds }, caPem);

  it('a T-3 escalation pages on-call by SMS through the Messaging Service and records the delivery callback', async () => {
    const expiresAt = new Date((await env.currentTimeMs()) + 2.5 * 86_400_000).toISOString();
    // The certificate is never renewed: the ladder runs on.
    await startWorker(
      {},
      { probeCertificate: async () => ({ trusted: true, validTo: expiresAt, fingerprint256: 'OLD' }) },
    );
    await env.client.workflow.start(certificateRenewal, {
      taskQueue: QUEUE,
      workflowId: 'certificate-renewal-sms.example.com-443',
      args: [{ host: 'sms.example.com', port: 443, expiresAt }],
    });
    // Escalations 1 and 2 are warnings (TWILIO_SMS_SEVERITIES=critical by default); 3 pages.
    const [sms] = await eventually(smsMessages, (m) => m.length > 0, { what: 'an SMS at Twilio' });
    assert.equal(sms!.to, ONCALL);
    assert.match(sms!.body, /^\[CRITICAL\] Escalation 3 \(p1-incident\): certificate of sms\.example\.com/);
    assert.equal(sms!.status, 'accepted');

    await advanceTwilioClock(5);
    const callbacks = (await admin(twilio(), 'callbacks', undefined, caPem)) as {
      url: string;
      httpStatus: number;
    }[];
    assert.deepEqual(
      callbacks.map((c) => c.httpStatus),
      [200, 200, 200, 200],
    );
    const pageId = new URL(callbacks[0]!.url).searchParams.get('page')!;
    const report = await eventually(
      () => pageStatus(pageId),
      (r) => r.outcome === 'delivered',
      { what: 'the page to record delivery' },
    );
    assert.deepEqual(report.messages, [{ role: 'platform-oncall', sid: sms!.sid, status: 'delivered' }]);
    assert.equal(report.callbacks, 4);
    // The page's run is the record: its details name each role's status and the alert's run.
    const details = await pageDetails(pageId);
    assert.match(details, /Outcome: \*\*delivered\*\*/);
    assert.ok(details.includes(`- platform-oncall: delivered · ${sms!.sid}`), details);
    assert.ok(details.includes('certificate-renewal-sms.example.com-443'), details);
    // The alert as chat shows it names the page's run.
    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    const posted = slack.find((m) => m.text.includes('Escalation 3'));
    assert.ok(posted?.text.includes(`• SMS page: ${pageId}`), posted?.text);
    assert.match(posted!.text, new RegExp(`• SMS delivery: http://\\S+/workflows/${pageId}/`));
    assert.equal((await smsMessages()).length, 1, 'one SMS: the warnings did not page');
    await env.client.workflow.getHandle('certificate-renewal-sms.example.com-443').terminate('test over');
  });

  it('a repeated or late callback changes nothing; undelivered is recorded and the alert goes out by email once', async () => {
    await startWorker();
    await admin(twilio(), 'fates', { number: ONCALL, fate: 'undelivered' }, caPem);
    const before = (await emails()).length;
    const handle = await page({
      title: 'ERPNext breaker open',
      severity: 'critical',
      summary: 'Syncs wait.',
    });
    const [sms] = await eventually(smsMessages, (m) => m.length === 1, { what: 'the SMS at Twilio' });
    await advanceTwilioClock(3);
    const sent = await eventually(
      () => pageStatus(handle.workflowId),
      (r) => r.messages[0]?.status === 'sent',
    );
    assert.equal(sent.callbacks, 3, 'queued, sending, sent');

    // Twilio delivers a callback again: acknowledged, and it changes nothing.
    const again = await postCallback(handle.workflowId, { MessageSid: sms!.sid, MessageStatus: 'sent' });
    assert.equal(again, 200);
    const late = await postCallback(handle.workflowId, { MessageSid: sms!.sid, MessageStatus: 'queued' });
    assert.equal(late, 200);
    const unchanged = await pageStatus(handle.workflowId);
    assert.equal(unchanged.callbacks, 3);
    assert.equal(unchanged.messages[0]!.status, 'sent');

    await advanceTwilioClock(2);
    const report: SmsPageReport = await handle.result();
    assert.equal(report.outcome, 'emailed');
    assert.deepEqual(
      report.messages.map((m) => [m.role, m.status, m.errorCode]),
      [['platform-oncall', 'undelivered', 30003]],
    );
    const mail = (await emails()).slice(before);
    assert.equal(mail.length, 1);
    assert.match(mail[0]!.subject, /^\[CRITICAL\] ERPNext breaker open$/);
    assert.match(mail[0]!.text, /because SMS to platform-oncall \(undelivered\) delivery failed/);
    assert.ok(mail[0]!.text.includes(`• SMS page: ${handle.workflowId}`), mail[0]!.text);
    assert.equal(report.callbacks, 4);
    const details = await pageDetails(handle.workflowId);
    assert.match(details, /Outcome: \*\*emailed\*\*/);
    assert.ok(details.includes('- platform-oncall: undelivered (error 30003)'), details);

    // The page's history names roles and sids: no number, no token.
    const history = withDecodedPayloads(historyToJSON(await handle.fetchHistory()));
    assert.ok(history.includes('platform-oncall'));
    for (const secret of [ONCALL, TWILIO_SIM.authToken]) assert.ok(!history.includes(secret), secret);
  });

  it('no delivery callback within TWILIO_UNDELIVERED_AFTER: email instead', async () => {
    await startWorker({ TWILIO_UNDELIVERED_AFTER: '10 minutes' });
    const before = (await emails()).length;
    const handle = await page({
      title: 'Workday import failed',
      severity: 'critical',
      summary: 'Run failed.',
    });
    await eventually(
      () => pageStatus(handle.workflowId),
      (r) => r.outcome === 'waiting',
    );
    // The test clock stands still: the SMS stays `accepted`; the page's timer fires (time skipped).
    const report = await handle.result();
    assert.equal(report.outcome, 'emailed');
    assert.deepEqual(
      report.messages.map((m) => m.status),
      ['accepted'],
    );
    assert.equal((await emails()).length, before + 1);
  });

  it('a refused number (21211) fails that role at once and the alert goes by email; nothing retried', async () => {
    await startWorker({ TWILIO_ONCALL_NUMBERS: 'platform-oncall=+15005550001' });
    const report = await (
      await page({ title: 'Cert expired', severity: 'critical', summary: 'Outage.' })
    ).result();
    assert.equal(report.outcome, 'emailed');
    assert.deepEqual(report.messages, [{ role: 'platform-oncall', status: 'failed', errorCode: 21211 }]);
    const creates = (
      (await admin(twilio(), 'requests', undefined, caPem)) as { method: string; path: string }[]
    ).filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    assert.equal(creates.length, 1, 'one attempt');
  });

  it('the guard warns once when the spend passes the warning, then says capped once it passes the cap', async () => {
    await startWorker({ TWILIO_DAILY_WARN_AT: '3', TWILIO_DAILY_CAP: '5' });
    const slackTexts = async () =>
      ((await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[]).map(
        (m) => m.text,
      );
    await admin(twilio(), 'usage', { count: 400, price: 3.2 }, caPem);
    const guard = await env.client.workflow.start(twilioCostGuard, {
      taskQueue: QUEUE,
      workflowId: `twilio-cost-guard-test-${++run}`,
      args: [{ checkEvery: '15 minutes' }],
    });
    const warned = await eventually(
      () => guard.query(costGuardStatus),
      (s) => s.announced.length > 0,
      { what: 'the guard to announce the warning' },
    );
    assert.deepEqual(warned.announced, ['warning']);
    assert.equal(warned.level, 'warning');
    assert.equal(warned.checks, 1);
    const warnings = await eventually(slackTexts, (t) =>
      t.some((x) => x.includes('Twilio SMS spend above the daily warning')),
    );
    assert.equal(warnings.filter((x) => x.includes('Twilio SMS spend above the daily warning')).length, 1);
    assert.ok(!warnings.some((x) => x.includes('Twilio daily SMS cap reached')));

    // The next check, still under the cap: nothing announced again.
    await env.sleep('15 minutes');
    const again = await eventually(
      () => guard.query(costGuardStatus),
      (s) => s.checks >= 2,
    );
    assert.deepEqual(again.announced, ['warning']);

    await admin(twilio(), 'usage', { count: 700, price: 5.53 }, caPem);
    await env.sleep('15 minutes');
    const capped = await eventually(
      () => guard.query(costGuardStatus),
      (s) => s.announced.includes('capped'),
      { what: 'the guard to announce the cap' },
    );
    assert.deepEqual(capped.announced, ['warning', 'capped']);
    assert.equal(capped.level, 'capped');
    const texts = await eventually(slackTexts, (t) =>
      t.some((x) => x.includes('Twilio daily SMS cap reached')),
    );
    assert.equal(texts.filter((x) => x.includes('Twilio SMS spend above the daily warning')).length, 1);
    assert.equal(texts.filter((x) => x.includes('Twilio daily SMS cap reached')).length, 1);
    await guard.terminate('test over');
  });

  it('over the daily cap: the guard says so once, warnings are held, critical alerts still page', async () => {
    await startWorker({
      TWILIO_SMS_SEVERITIES: 'critical,warning',
      TWILIO_DAILY_WARN_AT: '3',
      TWILIO_DAILY_CAP: '5',
    });
    // Below the cap a warning pages.
    const warned = await page({ title: 'Tableau refresh slow', severity: 'warning', summary: 'x' });
    await eventually(
      () => pageStatus(warned.workflowId),
      (r) => r.outcome === 'waiting',
    );

    await admin(twilio(), 'usage', { count: 700, price: 5.53 }, caPem);
    const guard = await env.client.workflow.start(twilioCostGuard, {
      taskQueue: QUEUE,
      workflowId: `twilio-cost-guard-test-${++run}`,
      args: [{ checkEvery: '15 minutes' }],
    });
    const status = await eventually(
      () => guard.query(costGuardStatus),
      (s) => s.announced.includes('capped'),
      { what: 'the guard to announce the cap' },
    );
    assert.deepEqual(status.announced, ['capped'], 'straight to capped: one alert, not two');
    assert.equal(status.level, 'capped');
    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    assert.equal(
      slack.filter((m) => /Twilio daily SMS cap reached: non-critical SMS stopped/.test(m.text)).length,
      1,
    );

    const held = await (await page({ title: 'DLQ growing', severity: 'warning', summary: 'x' })).result();
    assert.equal(held.outcome, 'held');
    assert.match(held.reason ?? '', /daily SMS cap reached: 5\.5\d* of 5 USD/);
    const critical = await page({ title: 'Certificate expired', severity: 'critical', summary: 'x' });
    await eventually(
      () => pageStatus(critical.workflowId),
      (r) => r.outcome === 'waiting',
    );
    const bodies = (await smsMessages()).map((m) => m.body);
    assert.ok(bodies.some((b) => b.startsWith('[CRITICAL] Certificate expired')));
    assert.ok(!bodies.some((b) => b.includes('DLQ growing')), 'the held warning never reached Twilio');
    await guard.terminate('test over');
  });
});
