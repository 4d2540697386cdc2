// The Events API route: Slack's URL check, one workflow per event_id, retried deliveries taken as
// duplicates, unsigned requests and Temporal outages never acknowledged.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createIngressMetrics, type IngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { registerSlackRoutes } from '../../../src/ingress/slack';
import { count, FakeSlack, FakeTemporal, signRequest } from '../../helpers/ingress';

const SECRET = 'events-signing-secret';
const NOW = Date.parse('2026-11-30T14:02:00Z');

const eventBody = (eventId: string) =>
  JSON.stringify({
    type: 'event_callback',
    team_id: 'T0SIMTEAM1',
    api_app_id: 'A0SIMAPP01',
    event_id: eventId,
    event_time: NOW / 1000,
    event: {
      type: 'app_mention',
      channel: 'C0OPS',
      user: 'U0SIMDANA1',
      text: 'status please',
      event_ts: '1.2',
    },
  });

describe('ingress: Slack Events API', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let metrics: IngressMetrics;

  beforeEach(() => {
    temporal = new FakeTemporal();
    metrics = createIngressMetrics();
    app = createIngressServer(metrics);
    registerSlackRoutes(app, {
      secrets: { current: SECRET },
      temporal,
      slack: new FakeSlack(),
      statusTable: async () => '',
      metrics,
      log: pino({ level: 'silent' }),
      now: () => NOW,
    });
  });
  afterEach(() => app.close());

  const post = (
    body: string,
    headers: Record<string, string> = signRequest(body, SECRET, NOW, 'application/json'),
  ) => app.inject({ method: 'POST', url: '/slack/events', payload: body, headers });

  it("answers Slack's URL verification with the challenge", async () => {
    const response = await post(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' }));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { challenge: 'c-123' });
  });

  it('starts one workflow per event_id with ids only (no message text), and takes retries as duplicates', async () => {
    const body = eventBody('Ev0001');
    assert.equal((await post(body)).statusCode, 200);
    const retry = { ...signRequest(body, SECRET, NOW, 'application/json'), 'x-slack-retry-num': '1' };
    assert.equal((await post(body, retry)).statusCode, 200);
    assert.equal(temporal.started.size, 1);
    const start = temporal.started.get('slack-event-T0SIMTEAM1-Ev0001');
    assert.deepEqual(start?.signalArgs, {
      teamId: 'T0SIMTEAM1',
      eventId: 'Ev0001',
      type: 'app_mention',
      channel: 'C0OPS',
      user: 'U0SIMDANA1',
      eventTs: '1.2',
    });
    assert.equal(await count(metrics, 'ingress_requests_total', { route: 'events', outcome: 'accepted' }), 1);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { route: 'events', outcome: 'duplicate' }),
      1,
    );
  });

  it('refuses an unsigned event, answers 503 while Temporal is away, and takes the retry once', async () => {
    const body = eventBody('Ev0002');
    assert.equal((await post(body, { 'content-type': 'application/json' })).statusCode, 401);
    temporal.down = true;
    assert.equal((await post(body)).statusCode, 503);
    assert.equal(temporal.started.size, 0);
    temporal.down = false;
    assert.equal((await post(body)).statusCode, 200);
    assert.equal(temporal.started.size, 1);
    assert.equal((await post('{"type":"event_callback"}')).statusCode, 400);
  });
});
