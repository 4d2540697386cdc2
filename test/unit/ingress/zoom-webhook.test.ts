// POST /zoom/webhook against the Zoom simulator's own sender (it signs, runs the URL validation and
// retries as Zoom does): refused requests start nothing, the CRC is answered under either secret
// during a rotation, trainings start one run per meeting UUID, and only taken events are acknowledged.
import assert from 'node:assert/strict';
import { admin } from '../../helpers/simulators';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadIngressConfig } from '../../../src/ingress/config';
import { createIngressMetrics, type IngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { registerZoomRoutes } from '../../../src/ingress/zoom';
import { startZoomSimulator } from '../../../simulators/zoom/server';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import type { ZoomSimState } from '../../../simulators/zoom/state';
import { count, FakeTemporal } from '../../helpers/ingress';

const CURRENT = 'zoom-secret-new';
const PREVIOUS = 'zoom-secret-old';

const ended = (uuid: string, topic = 'Training: GDPR basics', id = '85746065432') => ({
  account_id: 'sim-account',
  object: {
    uuid,
    id,
    host_id: 'h0st',
    topic,
    type: 2,
    start_time: '2026-11-30T09:00:00Z',
    end_time: '2026-11-30T10:00:00Z',
    duration: 60,
    timezone: 'UTC',
  },
});

describe('ingress: Zoom webhook', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let metrics: IngressMetrics;
  let zoom: HttpSimulator<ZoomSimState>;
  let hookUrl: string;

  before(async () => {
    zoom = await startZoomSimulator();
  });
  after(() => zoom.close());

  async function listen(secrets: { current: string; previous?: string }, log = pino({ level: 'silent' })) {
    temporal = new FakeTemporal();
    metrics = createIngressMetrics();
    app = createIngressServer(metrics);
    registerZoomRoutes(app, {
      secrets,
      training: { topicPrefix: 'Training:', seriesIds: ['81122233344'] },
      temporal,
      metrics,
      log,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    hookUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/zoom/webhook`;
  }
  afterEach(() => app?.close());

  const sim = async (path: string, body?: unknown) =>
    (await admin(zoom.url, path, body)) as Record<string, unknown>;
  const subscribe = (secret: string) => sim('webhook', { url: hookUrl, secret });
  const send = async (event: string, payload: unknown, options: object = {}) =>
    (await sim('webhook/send', { event, payload, ...options })).status;

  beforeEach(() => sim('reset', {}));

  it('refuses a bad signature, a wrong secret and a stale timestamp with 401 and starts nothing', async () => {
    await listen({ current: CURRENT });
    assert.deepEqual(await subscribe(CURRENT), { validated: true });
    assert.equal(await send('meeting.ended', ended('uuid-1=='), { badSignature: true }), 401);
    assert.equal(await send('meeting.ended', ended('uuid-1=='), { secret: 'someone-elses-secret' }), 401);
    // 302 s: the simulator signs and the ingress checks on real clocks, and a second can tick in
    // between (+301 then reads as 300, accepted). The exact 300/301 edge is tested on a fixed clock.
    assert.equal(await send('meeting.ended', ended('uuid-1=='), { timestampSkewSeconds: -302 }), 401);
    assert.equal(await send('meeting.ended', ended('uuid-1=='), { timestampSkewSeconds: 302 }), 401);
    assert.equal(temporal.started.size, 0);
    assert.equal(
      await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'refused_signature' }),
      2,
    );
    assert.equal(await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'stale' }), 2);
    // A URL validation signed with a wrong secret is refused too: no token is computed for it.
    assert.deepEqual(await sim('webhook/validate', { secret: 'someone-elses-secret' }), { validated: false });
  });

  it('accepts a timestamp exactly 300 s off either way and refuses 301 s (stale)', async () => {
    // A fixed clock on the ingress, so no second ticks between signing and checking.
    const now = 1_764_493_200;
    const localMetrics = createIngressMetrics();
    const local = createIngressServer(localMetrics);
    registerZoomRoutes(local, {
      secrets: { current: CURRENT },
      training: { topicPrefix: 'Training:', seriesIds: [] },
      temporal: new FakeTemporal(),
      metrics: localMetrics,
      log: pino({ level: 'silent' }),
      now: () => now * 1000,
    });
    const body = JSON.stringify({ event: 'meeting.started', event_ts: now * 1000, payload: {} });
    const post = async (skew: number) => {
      const timestamp = String(now + skew);
      const signature = createHmac('sha256', CURRENT).update(`v0:${timestamp}:${body}`).digest('hex');
      const response = await local.inject({
        method: 'POST',
        url: '/zoom/webhook',
        headers: {
          'content-type': 'application/json',
          'x-zm-request-timestamp': timestamp,
          'x-zm-signature': `v0=${signature}`,
        },
        payload: body,
      });
      return response.statusCode;
    };
    try {
      assert.deepEqual(
        [await post(300), await post(-300), await post(301), await post(-301)],
        [200, 200, 401, 401],
      );
    } finally {
      await local.close();
    }
  });

  it('answers the URL validation under both secrets during a rotation and counts which one matched', async () => {
    await listen({ current: CURRENT, previous: PREVIOUS });
    // Zoom signed with the old secret (now ZOOM_WEBHOOK_SECRET_PREVIOUS) until it was regenerated
    // there, then with the new one; the ingress, restarted with both, verifies and answers either.
    assert.deepEqual(await subscribe(PREVIOUS), { validated: true });
    assert.deepEqual(await subscribe(CURRENT), { validated: true });
    assert.equal(
      await count(metrics, 'ingress_signing_secret_matches_total', { vendor: 'zoom', secret: 'previous' }),
      1,
    );
    assert.equal(
      await count(metrics, 'ingress_signing_secret_matches_total', { vendor: 'zoom', secret: 'current' }),
      1,
    );
    // Zoom re-validates every 72 hours: the simulator does it when its clock passes that mark.
    await sim('clock', { advanceMinutes: 72 * 60 });
    assert.equal(
      await count(metrics, 'ingress_signing_secret_matches_total', { vendor: 'zoom', secret: 'current' }),
      2,
    );
  });

  it('starts one run per training, by meeting UUID; re-sent events are duplicates; other meetings are acknowledged and ignored', async () => {
    await listen({ current: CURRENT });
    await subscribe(CURRENT);
    for (let i = 0; i < 3; i++) assert.equal(await send('meeting.ended', ended('/abc//def==')), 200);
    assert.equal(await send('meeting.ended', ended('team-sync==', 'Weekly team sync')), 200);
    assert.equal(await send('meeting.ended', ended('series-1==', 'Onboarding week', '81122233344')), 200);
    assert.equal(await send('meeting.started', ended('x==')), 200);
    assert.deepEqual([...temporal.started.keys()].sort(), [
      'zoom-training-/abc//def==',
      'zoom-training-series-1==',
    ]);
    const start = temporal.started.get('zoom-training-/abc//def==')!;
    assert.equal(start.workflowType, 'zoomTrainingAttendance');
    assert.deepEqual(start.args, {
      meetingUuid: '/abc//def==',
      meetingId: '85746065432',
      kind: 'meeting',
      topic: 'Training: GDPR basics',
      startTime: '2026-11-30T09:00:00Z',
      endTime: '2026-11-30T10:00:00Z',
    });
    assert.equal(await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'duplicate' }), 2);
    assert.equal(await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'ignored' }), 2);
  });

  it('starts a training again when its run failed (reuse failed-only), while a completed or open run stays a duplicate', async () => {
    await listen({ current: CURRENT });
    await subscribe(CURRENT);
    const id = 'zoom-training-retry-me==';
    assert.equal(await send('meeting.ended', ended('retry-me==')), 200);
    assert.deepEqual(
      temporal.starts.map((s) => [s.workflowId, s.reuse]),
      [[id, 'failed-only']],
    );
    // The run failed (say NotConfigured, fixed since): Zoom's re-send starts it again.
    temporal.failed.add(id);
    assert.equal(await send('meeting.ended', ended('retry-me==')), 200);
    // That run did not fail: one more re-send is a duplicate.
    assert.equal(await send('meeting.ended', ended('retry-me==')), 200);
    assert.equal(temporal.starts.length, 2);
    assert.equal(await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'duplicate' }), 1);
  });

  it("refuses a training's event the workflow's input schema would refuse (meeting number 1234) with 400: no run, a log without its values", async () => {
    const lines: string[] = [];
    const log = pino({ base: undefined, timestamp: false }, { write: (line: string) => lines.push(line) });
    await listen({ current: CURRENT }, log);
    await subscribe(CURRENT);
    assert.equal(await send('meeting.ended', ended('short-id==', 'Training: GDPR basics', '1234')), 400);
    assert.equal(temporal.started.size, 0);
    assert.equal(await count(metrics, 'ingress_requests_total', { vendor: 'zoom', outcome: 'invalid' }), 1);
    const refused = lines
      .map((l) => JSON.parse(l) as { msg: string; issues?: { field: string }[] })
      .filter((l) => /does not fit/.test(l.msg));
    assert.deepEqual(
      refused.map((l) => l.issues?.map((i) => i.field)),
      [['meetingId']],
    );
    for (const value of ['1234', 'GDPR', 'short-id'])
      assert.ok(!lines.join('').includes(value), `${value} in the log`);
    // Not acknowledged: Zoom retries it three times at most, then drops it.
    const { pendingRetries } = (await sim('deliveries')) as { pendingRetries: { attempt: number }[] };
    assert.deepEqual(
      pendingRetries.map((r) => r.attempt),
      [2],
    );
  });

  it('acknowledges nothing Temporal did not take: Zoom retries at +5, +20 and +60 minutes, then the event is taken once', async () => {
    await listen({ current: CURRENT });
    await subscribe(CURRENT);
    temporal.down = true;
    assert.equal(await send('webinar.ended', ended('web-1==')), 503);
    await sim('clock', { advanceMinutes: 5 });
    await sim('clock', { advanceMinutes: 20 });
    temporal.down = false;
    await sim('clock', { advanceMinutes: 60 });
    const { deliveries, pendingRetries } = (await sim('deliveries')) as {
      deliveries: { attempt: number; status: number; at: string }[];
      pendingRetries: unknown[];
    };
    assert.deepEqual(
      deliveries.map((d) => [d.attempt, d.status]),
      [
        [1, 503],
        [2, 503],
        [3, 503],
        [4, 200],
      ],
    );
    const minutes = deliveries.map((d) => (Date.parse(d.at) - Date.parse(deliveries[0]!.at)) / 60_000);
    assert.deepEqual(minutes.map(Math.round), [0, 5, 25, 85]);
    assert.deepEqual(pendingRetries, []);
    assert.equal((temporal.started.get('zoom-training-web-1==')?.args as { kind?: string })?.kind, 'webinar');
  });

  it('reads the secrets from docker secret files and the series ids as a list', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zoom-ingress-'));
    try {
      writeFileSync(path.join(dir, 'current'), `${CURRENT}\n`);
      writeFileSync(path.join(dir, 'previous'), '');
      const config = loadIngressConfig({
        SLACK_SIGNING_SECRET: 'slack',
        SLACK_BOT_TOKEN: 'xoxb-1',
        ZOOM_WEBHOOK_SECRET_FILE: path.join(dir, 'current'),
        ZOOM_WEBHOOK_SECRET_PREVIOUS_FILE: path.join(dir, 'previous'),
        ZOOM_TRAINING_SERIES_IDS: '81122233344, 82233344455',
      });
      assert.equal(config.ZOOM_WEBHOOK_SECRET, CURRENT);
      // An empty secret file leaves that secret unset (no rotation in progress).
      assert.equal(config.ZOOM_WEBHOOK_SECRET_PREVIOUS, undefined);
      assert.deepEqual(config.ZOOM_TRAINING_SERIES_IDS, ['81122233344', '82233344455']);
      assert.equal(config.ZOOM_TRAINING_TOPIC_PREFIX, 'Training:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
