// The Zoom client against the Zoom simulator: one token for many calls until a minute before it
// expires, a new one once on a 401 (a second 401 in a row is an auth failure), every page of the
// report, "not ready yet" and "no registration" as answers, and 429s as rate-limited errors
// carrying when to retry (per-second Retry-After, or the daily limit's reset).
import assert from 'node:assert/strict';
import { startZoomSimulator } from '../../simulators/zoom/server';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import type { ZoomSimState } from '../../simulators/zoom/state';
import { VendorError } from '../../src/vendors/errors';
import { ZoomClient } from '../../src/vendors/zoom/client';

describe('Zoom client', () => {
  let zoom: HttpSimulator<ZoomSimState>;
  let client: ZoomClient;

  before(async () => {
    zoom = await startZoomSimulator();
  });
  after(() => zoom.close());

  async function sim(path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${zoom.url}/__admin/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `admin ${path} → ${response.status}`);
    return response.json();
  }
  const calls = async (prefix: string) =>
    ((await sim('requests')) as { path: string; status?: number }[]).filter((r) => r.path.startsWith(prefix));

  beforeEach(async () => {
    await sim('reset', {});
    client = new ZoomClient({
      apiUrl: `${zoom.url}/v2/`,
      oauthUrl: `${zoom.url}/`,
      accountId: 'sim-account',
      clientId: 'sim-zoom-client',
      clientSecret: 'sim-zoom-secret',
      pageSize: 2,
    });
    await sim('meetings', {
      uuid: '/ab//cd==',
      id: '85746065432',
      topic: 'Training: x',
      start_time: '2026-11-30T09:00:00Z',
      end_time: '2026-11-30T10:00:00Z',
      participants: [
        { name: 'A', user_email: 'a@acme.example', duration: 60 },
        { name: 'B', user_email: 'b@acme.example', duration: 120 },
        { name: 'Phone', user_email: '', duration: 30 },
      ],
    });
  });

  it('reads every page with one token, and fetches a new token once when Zoom answers 401', async () => {
    const joins = await client.participantReport('meeting', '/ab//cd==');
    assert.deepEqual(joins, [
      { name: 'A', email: 'a@acme.example', durationSeconds: 60 },
      { name: 'B', email: 'b@acme.example', durationSeconds: 120 },
      { name: 'Phone', email: undefined, durationSeconds: 30 },
    ]);
    assert.equal((await calls('/oauth/token')).length, 1);
    assert.equal((await calls('/v2/report/')).length, 2);
    await sim('tokens/revoke', {});
    assert.equal((await client.participantReport('meeting', '/ab//cd=='))?.length, 3);
    assert.deepEqual(
      (await calls('/v2/report/')).map((r) => r.status),
      [200, 200, 401, 200, 200],
    );
    assert.equal((await calls('/oauth/token')).length, 2);
  });

  it('keeps the token until its expiry minus the one-minute margin, then fetches a new one', async () => {
    const first = await client.accessToken();
    const issuedAt = Date.now();
    // The simulator's tokens live 3599 s; the client renews 60 s before that.
    assert.equal(await client.accessToken(issuedAt + (3599 - 60 - 5) * 1000), first);
    assert.equal((await calls('/oauth/token')).length, 1);
    const renewed = await client.accessToken(issuedAt + (3599 - 60 + 1) * 1000);
    assert.notEqual(renewed, first);
    assert.equal((await calls('/oauth/token')).length, 2);
    // The new token is the cached one from then on.
    assert.equal(await client.accessToken(), renewed);
    assert.equal((await calls('/oauth/token')).length, 2);
  });

  it('fails as an auth error after exactly one new token when Zoom answers 401 twice in a row', async () => {
    await client.accessToken();
    await sim('faults', { status: 401, times: 2, path: '/v2/report' });
    const error = await client.participantReport('meeting', '/ab//cd==').catch((e: unknown) => e);
    assert.ok(error instanceof VendorError, String(error));
    assert.deepEqual([error.kind, error.details.status], ['auth', 401]);
    assert.deepEqual(
      (await calls('/v2/report/')).map((r) => r.status),
      [401, 401],
    );
    assert.equal((await calls('/oauth/token')).length, 2, 'the first token and exactly one refresh');
  });

  it('answers undefined while the report is not ready and when the meeting has no registration', async () => {
    await sim('meetings', {
      uuid: 'later==',
      id: '81111111111',
      topic: 'Training: y',
      start_time: '2026-11-30T09:00:00Z',
      end_time: '2026-11-30T10:00:00Z',
      participants: [],
      reportReadyAfterMinutes: 30,
    });
    assert.equal(await client.participantReport('meeting', 'later=='), undefined);
    assert.equal(await client.registrants('meeting', '81111111111'), undefined);
    await sim('clock', { advanceMinutes: 30 });
    assert.deepEqual(await client.participantReport('meeting', 'later=='), []);
  });

  it("turns a 429 into a rate-limited error with Zoom's Retry-After, and the daily limit into a wait until it resets", async () => {
    await sim('faults', { status: 429, retryAfterSeconds: 7, times: 1, path: '/v2/report' });
    const perSecond = await client.participantReport('meeting', '/ab//cd==').catch((e: unknown) => e);
    assert.ok(perSecond instanceof VendorError);
    assert.deepEqual([perSecond.kind, perSecond.details.retryAfterSeconds], ['rate-limited', 7]);

    await sim('daily-limit', { remaining: 0 });
    const daily = await client.participantReport('meeting', '/ab//cd==').catch((e: unknown) => e);
    assert.ok(daily instanceof VendorError);
    assert.equal(daily.kind, 'rate-limited');
    assert.match(daily.message, /Daily-limit/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const untilMidnight = (midnight.getTime() - Date.now()) / 1000;
    assert.ok(
      Math.abs(daily.details.retryAfterSeconds! - untilMidnight) < 5,
      `${daily.details.retryAfterSeconds}`,
    );
  });

  it('refuses bad client credentials as an auth failure (not retried)', async () => {
    const wrong = new ZoomClient({
      apiUrl: `${zoom.url}/v2/`,
      oauthUrl: `${zoom.url}/`,
      accountId: 'sim-account',
      clientId: 'sim-zoom-client',
      clientSecret: 'not-the-secret',
    });
    const error = await wrong.accessToken().catch((e: unknown) => e);
    assert.ok(error instanceof VendorError);
    assert.equal(error.kind, 'auth');
  });
});
