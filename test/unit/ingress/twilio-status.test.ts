// Twilio's status callbacks: signed over the public URL (page id included) and the form fields,
// signalled to the page and acknowledged only after Temporal took them; forged, re-pointed or
// unsigned callbacks signal nothing.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { twilioSignature } from '../../../simulators/twilio/server';
import { createIngressMetrics, type IngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { registerTwilioRoutes } from '../../../src/ingress/twilio';
import { count, FakeTemporal } from '../../helpers/ingress';

const TOKEN = 'twilio-auth-token';
const PUBLIC_URL = 'https://ingress.example.com';
const SID = `SM${'a'.repeat(32)}`;
const PAGE = 'sms-page-0b7c';

const fields = (status: string, extra: Record<string, string> = {}) => ({
  AccountSid: `AC${'1'.repeat(32)}`,
  MessageSid: SID,
  SmsSid: SID,
  MessageStatus: status,
  SmsStatus: status,
  To: '+15551230001',
  ApiVersion: '2010-04-01',
  ...extra,
});

describe('ingress: Twilio status callbacks', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let metrics: IngressMetrics;

  beforeEach(() => {
    temporal = new FakeTemporal();
    metrics = createIngressMetrics();
    app = createIngressServer(metrics);
    registerTwilioRoutes(app, {
      authToken: TOKEN,
      publicUrl: `${PUBLIC_URL}/`,
      temporal,
      metrics,
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(() => app.close());

  interface Signing {
    path?: string;
    signedUrl?: string;
    token?: string;
    /** What was signed, when it differs from what is sent. */
    signedParams?: Record<string, string>;
  }
  const post = (params: Record<string, string>, signing: Signing = {}) => {
    const path = signing.path ?? `/twilio/status?page=${PAGE}`;
    const signedUrl = signing.signedUrl ?? `${PUBLIC_URL}${path}`;
    return app.inject({
      method: 'POST',
      url: path,
      payload: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(
          signing.token ?? TOKEN,
          signedUrl,
          signing.signedParams ?? params,
        ),
      },
    });
  };

  it('signals the page with the status and error code, then acknowledges', async () => {
    const response = await post(fields('undelivered', { ErrorCode: '30003' }));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(temporal.signals, [
      { workflowId: PAGE, name: 'smsStatus', args: { sid: SID, status: 'undelivered', errorCode: 30003 } },
    ]);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { vendor: 'twilio', outcome: 'accepted' }),
      1,
    );
  });

  it('refuses a forged signature, a wrong token, a changed field and a re-pointed page: nothing signalled', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: `/twilio/status?page=${PAGE}`,
      payload: new URLSearchParams(fields('delivered')).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
    });
    const wrongToken = await post(fields('delivered'), { token: 'not-the-token' });
    const unsigned = await app.inject({
      method: 'POST',
      url: `/twilio/status?page=${PAGE}`,
      payload: new URLSearchParams(fields('delivered')).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const changed = await post(fields('delivered'), { signedParams: fields('failed') });
    // Signed for one page, sent to another: the query is part of what Twilio signs.
    const repointed = await post(fields('delivered'), {
      path: '/twilio/status?page=sms-page-other',
      signedUrl: `${PUBLIC_URL}/twilio/status?page=${PAGE}`,
    });
    for (const r of [forged, wrongToken, unsigned, changed, repointed]) assert.equal(r.statusCode, 401);
    assert.deepEqual(temporal.signals, []);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { vendor: 'twilio', outcome: 'refused_signature' }),
      5,
    );
  });

  it('a callback for a page that has ended is acknowledged without a signal; one without a page is invalid', async () => {
    temporal.closed.add(PAGE);
    assert.equal((await post(fields('delivered'))).statusCode, 200);
    assert.equal((await post(fields('delivered'), { path: '/twilio/status' })).statusCode, 400);
    assert.equal(
      (await post(fields('delivered'), { path: '/twilio/status?page=readiness-check' })).statusCode,
      400,
    );
    assert.deepEqual(temporal.signals, []);
  });

  it('Temporal unreachable: 503, so nothing is acknowledged that Temporal did not take', async () => {
    temporal.down = true;
    assert.equal((await post(fields('delivered'))).statusCode, 503);
  });
});
