// The SES feedback route: a verified notification becomes one signal to sesFeedback carrying keys
// and masked hints (never an address), acknowledged only once Temporal took it; a confirmation is
// confirmed by GETting its SubscribeURL; foreign topics, bad signatures, messages outside the replay
// window and garbage change nothing; an identity notification (no tags) counts under the configured set.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Agent } from 'undici';
import type { FeedbackEvent } from '../../../src/domain/sesFeedback';
import { createIngressMetrics, type IngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { registerSesRoutes } from '../../../src/ingress/sesSns';
import type { SnsVerdict } from '../../../src/ingress/snsSignature';
import { addressKey } from '../../../src/vendors/sesAddress';
import { count, FakeTemporal } from '../../helpers/ingress';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
/** The ingress's clock: five minutes after the notifications below were published. */
const NOW = Date.parse('2026-11-30T09:05:00.000Z');

const notification = (message: object, overrides: object = {}) => ({
  Type: 'Notification',
  MessageId: 'm-1',
  TopicArn: TOPIC,
  Message: JSON.stringify(message),
  Timestamp: '2026-11-30T09:00:00.000Z',
  SignatureVersion: '2',
  Signature: 'c2ln',
  SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem',
  ...overrides,
});

const bounce = {
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bouncedRecipients: [{ emailAddress: 'Ana.Lopez@example.com' }, { emailAddress: 'lee@example.com' }],
    timestamp: '2026-11-30T08:59:00.000Z',
  },
  mail: { tags: { 'ses:configuration-set': ['integrations'] } },
};

describe('ingress: POST /ses/sns', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let metrics: IngressMetrics;
  let verdict: SnsVerdict;
  let confirmServer: Server;
  let confirmations: string[];

  before(async () => {
    confirmServer = createServer((req, res) => {
      confirmations.push(req.url ?? '');
      res.end('<ConfirmSubscriptionResponse/>');
    });
    await new Promise<void>((resolve) => confirmServer.listen(0, '127.0.0.1', resolve));
  });
  after(() => confirmServer.close());

  beforeEach(() => {
    temporal = new FakeTemporal();
    metrics = createIngressMetrics();
    verdict = { ok: true };
    confirmations = [];
    app = createIngressServer(metrics);
    registerSesRoutes(app, {
      verifier: { verify: async () => verdict, trusted: (url) => url.startsWith('http://127.0.0.1:') },
      topicArns: [TOPIC],
      dispatcher: new Agent(),
      temporal,
      metrics,
      log: pino({ level: 'silent' }),
      configurationSet: 'integrations',
      now: () => NOW,
    });
  });

  const post = (body: object | string) =>
    app.inject({
      method: 'POST',
      url: '/ses/sns',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('signals each bounced recipient as a key and a masked hint, then answers 200', async () => {
    const response = await post(notification(bounce));
    assert.equal(response.statusCode, 200);
    const start = temporal.started.get('ses-feedback');
    assert.equal(start?.workflowType, 'sesFeedback');
    assert.equal(start?.signal, 'feedback');
    assert.deepEqual(start?.signalArgs, [
      {
        messageId: 'm-1',
        kind: 'permanent-bounce',
        addressKey: addressKey('ana.lopez@example.com'),
        hint: 'a…@example.com',
        configurationSet: 'integrations',
        at: '2026-11-30T08:59:00.000Z',
      },
      {
        messageId: 'm-1',
        kind: 'permanent-bounce',
        addressKey: addressKey('lee@example.com'),
        hint: 'l…@example.com',
        configurationSet: 'integrations',
        at: '2026-11-30T08:59:00.000Z',
      },
    ]);
    assert.ok(!JSON.stringify(start).includes('lopez'), 'no address reaches Temporal');
  });

  it('counts an identity notification (no tags) under the configured set, not "default"', async () => {
    const identity = {
      notificationType: 'Bounce',
      bounce: {
        bounceType: 'Transient',
        bouncedRecipients: [{ emailAddress: 'lee@example.com' }],
        timestamp: '2026-11-30T08:59:00.000Z',
      },
      mail: { source: 'ops@example.com', destination: ['lee@example.com'] },
    };
    assert.equal((await post(notification(identity))).statusCode, 200);
    const [event] = temporal.started.get('ses-feedback')?.signalArgs as FeedbackEvent[];
    assert.equal(event?.configurationSet, 'integrations');
    assert.equal(event?.kind, 'transient-bounce');
  });

  it('refuses a genuine message older than an hour or far ahead of our clock (replay window)', async () => {
    const hourAgo = new Date(NOW - 60 * 60 * 1000 - 1000).toISOString();
    const ahead = new Date(NOW + 10 * 60 * 1000).toISOString();
    assert.equal((await post(notification(bounce, { Timestamp: hourAgo }))).statusCode, 401);
    assert.equal((await post(notification(bounce, { Timestamp: ahead }))).statusCode, 401);
    assert.equal((await post(notification(bounce, { Timestamp: 'yesterday' }))).statusCode, 400);
    assert.equal(temporal.started.size, 0);
    assert.equal(await count(metrics, 'ingress_requests_total', { route: 'sns', outcome: 'stale' }), 2);
    const recent = new Date(NOW - 59 * 60 * 1000).toISOString();
    assert.equal((await post(notification(bounce, { Timestamp: recent }))).statusCode, 200);
  });

  it('answers 503 while Temporal does not take the signal (SNS delivers again)', async () => {
    temporal.down = true;
    assert.equal((await post(notification(bounce))).statusCode, 503);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { route: 'sns', outcome: 'upstream_failure' }),
      1,
    );
  });

  it('refuses a bad signature and a foreign topic, ignores deliveries, rejects garbage', async () => {
    verdict = { ok: false, reason: 'bad_signature' };
    assert.equal((await post(notification(bounce))).statusCode, 401);
    verdict = { ok: true };
    assert.equal((await post(notification(bounce, { TopicArn: `${TOPIC}-other` }))).statusCode, 401);
    assert.equal((await post(notification({ eventType: 'Delivery', mail: {} }))).statusCode, 200);
    assert.equal((await post('not json')).statusCode, 400);
    assert.equal((await post(notification({}, { Message: 'not json' }))).statusCode, 400);
    assert.equal(temporal.started.size, 0);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { route: 'sns', outcome: 'refused_signature' }),
      2,
    );
  });

  it('confirms a subscription by its SubscribeURL, only on a trusted host', async () => {
    const { port } = confirmServer.address() as AddressInfo;
    const confirmation = (subscribeUrl: string) =>
      notification(
        {},
        {
          Type: 'SubscriptionConfirmation',
          Message: 'You have chosen to subscribe',
          SubscribeURL: subscribeUrl,
          Token: 'tok',
        },
      );
    assert.equal(
      (await post(confirmation(`http://127.0.0.1:${port}/?Action=ConfirmSubscription&Token=tok`))).statusCode,
      200,
    );
    assert.deepEqual(confirmations, ['/?Action=ConfirmSubscription&Token=tok']);
    assert.equal((await post(confirmation(`http://evil.example/?Token=tok`))).statusCode, 401);
    assert.equal(confirmations.length, 1);
  });
});
