// The Zoom simulator's webhook sender against a bare endpoint (not our ingress): the answer deadline
// and Zoom's retry at +5 minutes, nothing sent to a subscription that failed its URL validation,
// and a re-validation at every 72-hour mark a clock advance passes. The deadline is shortened to
// 300 ms (Zoom's 3 s), and the slow endpoint takes 350 ms (3.5 s at Zoom's scale).
import assert from 'node:assert/strict';
import { admin } from '../../helpers/simulators';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { startZoomSimulator } from '../../../simulators/zoom/server';
import type { ZoomSimState } from '../../../simulators/zoom/state';

const SECRET = 'zoom-sim-test-secret';
const DEADLINE_MS = 300;
const HOUR = 3_600_000;

interface Received {
  event: string;
  event_ts: number;
}

/** A webhook endpoint: answers the URL validation (right or wrong) and events (after a delay). */
class Endpoint {
  readonly received: Received[] = [];
  eventDelayMs = 0;
  wrongValidation = false;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received & {
          payload: { plainToken?: string };
        };
        this.received.push({ event: body.event, event_ts: body.event_ts });
        if (body.event === 'endpoint.url_validation') {
          const plainToken = body.payload.plainToken!;
          const key = this.wrongValidation ? 'not-the-secret' : SECRET;
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              plainToken,
              encryptedToken: createHmac('sha256', key).update(plainToken).digest('hex'),
            }),
          );
          return;
        }
        setTimeout(() => response.writeHead(200).end(), this.eventDelayMs);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/zoom/webhook`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  events(name: string): Received[] {
    return this.received.filter((r) => r.event === name);
  }
}

describe('Zoom simulator: webhook sender', () => {
  let zoom: HttpSimulator<ZoomSimState>;
  let endpoint: Endpoint;
  let url: string;

  before(async () => {
    zoom = await startZoomSimulator({ ackDeadlineMs: DEADLINE_MS });
  });
  after(() => zoom.close());
  beforeEach(async () => {
    await sim('reset', {});
    endpoint = new Endpoint();
    url = await endpoint.listen();
  });
  afterEach(() => endpoint.close());

  const sim = async (path: string, body?: unknown) =>
    (await admin(zoom.url, path, body)) as Record<string, unknown>;
  const send = async () => (await sim('webhook/send', { event: 'meeting.ended', payload: {} })).status;
  const deliveries = async () =>
    (await sim('deliveries')) as {
      deliveries: { attempt: number; status: number | string; at: string }[];
      pendingRetries: { attempt: number; dueAt: string }[];
    };

  it('records an answer slower than the deadline as a timeout and retries it 5 minutes later', async () => {
    assert.deepEqual(await sim('webhook', { url, secret: SECRET }), { validated: true });
    endpoint.eventDelayMs = DEADLINE_MS + 50;
    assert.equal(await send(), 'timeout');
    const first = await deliveries();
    assert.deepEqual(
      first.pendingRetries.map((r) => [r.attempt, Date.parse(r.dueAt) - Date.parse(first.deliveries[0]!.at)]),
      [[2, 5 * 60_000]],
    );
    endpoint.eventDelayMs = 0;
    await sim('clock', { advanceMinutes: 5 });
    const after = await deliveries();
    assert.deepEqual(
      after.deliveries.map((d) => [d.attempt, d.status]),
      [
        [1, 'timeout'],
        [2, 200],
      ],
    );
    const minutes = (Date.parse(after.deliveries[1]!.at) - Date.parse(after.deliveries[0]!.at)) / 60_000;
    assert.equal(Math.round(minutes), 5);
    assert.deepEqual(after.pendingRetries, []);
  });

  it('sends no event to a subscription whose URL validation failed, until it passes', async () => {
    endpoint.wrongValidation = true;
    assert.deepEqual(await sim('webhook', { url, secret: SECRET }), { validated: false });
    assert.equal(await send(), 'not_validated');
    await sim('clock', { advanceMinutes: 90 });
    assert.deepEqual(endpoint.events('meeting.ended'), []);
    const { deliveries: recorded, pendingRetries } = await deliveries();
    assert.deepEqual(
      recorded.map((d) => [d.attempt, d.status]),
      [[1, 'not_validated']],
    );
    assert.deepEqual(pendingRetries, []);
    // Fixed, and validated again: events flow.
    endpoint.wrongValidation = false;
    assert.deepEqual(await sim('webhook/validate', {}), { validated: true });
    assert.equal(await send(), 200);
    assert.equal(endpoint.events('meeting.ended').length, 1);
  });

  it('re-validates at each 72-hour mark: a 144-hour advance validates twice', async () => {
    assert.deepEqual(await sim('webhook', { url, secret: SECRET }), { validated: true });
    await sim('clock', { advanceMinutes: 144 * 60 });
    const validations = endpoint.events('endpoint.url_validation').map((v) => v.event_ts);
    assert.equal(validations.length, 3, 'on subscription, at 72 h and at 144 h');
    assert.deepEqual(
      validations.map((ts) => Math.round((ts - validations[0]!) / HOUR)),
      [0, 72, 144],
    );
    // Less than the next mark: no validation.
    await sim('clock', { advanceMinutes: 71 * 60 });
    assert.equal(endpoint.events('endpoint.url_validation').length, 3);
  });
});
