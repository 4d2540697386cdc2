import assert from 'node:assert/strict';
import { startErpnextSimulator } from '../../../simulators/erpnext/server';
import type { ErpnextState } from '../../../simulators/erpnext/state';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../../simulators/kit/local-ca';
import { DAY_MS, fetchWith, peerCertificate, tempDir } from './helpers';

type FrappeError = { exc_type: string; exception: string; _server_messages?: string };

describe('simulators/erpnext', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  let sim: HttpSimulator<ErpnextState>;
  let https: ReturnType<typeof fetchWith>;
  const loggedUser = '/api/method/frappe.auth.get_logged_user';

  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
  });
  after(() => tmp.remove());
  beforeEach(async () => {
    sim = await startErpnextSimulator({ port: 0, tls: { ca }, daysValid: 20 });
    https = fetchWith(ca.caPem);
  });
  afterEach(async () => {
    await https.close();
    await sim.close();
  });

  it('answers ping without auth', async () => {
    const r = await https(`${sim.url}/api/method/ping`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { message: 'pong' });
  });

  it('accepts `token key:secret` and Basic auth', async () => {
    const token = await https(`${sim.url}${loggedUser}`, {
      headers: { authorization: 'token sim-key:sim-secret' },
    });
    assert.equal(token.status, 200);
    assert.deepEqual(await token.json(), { message: 'Administrator' });
    const basic = Buffer.from('sim-key:sim-secret').toString('base64');
    const viaBasic = await https(`${sim.url}/api/v1/method/frappe.auth.get_logged_user`, {
      headers: { authorization: `Basic ${basic}` },
    });
    assert.deepEqual(await viaBasic.json(), { message: 'Administrator' });
  });

  it('rejects a wrong secret with 401 AuthenticationError and a double-encoded _server_messages', async () => {
    const r = await https(`${sim.url}${loggedUser}`, { headers: { authorization: 'token sim-key:wrong' } });
    assert.equal(r.status, 401);
    const body = (await r.json()) as FrappeError;
    assert.equal(body.exc_type, 'AuthenticationError');
    assert.match(body.exception, /^frappe\.exceptions\.AuthenticationError/);
    const messages = JSON.parse(body._server_messages ?? '[]') as string[];
    assert.equal(typeof messages[0], 'string');
    assert.equal(
      (JSON.parse(messages[0] ?? '{}') as { message: string }).message,
      'Invalid API key or secret',
    );
  });

  it('treats a request without credentials as Guest: 403 PermissionError on non-guest methods', async () => {
    const r = await https(`${sim.url}${loggedUser}`);
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as FrappeError).exc_type, 'PermissionError');
    const unknown = await https(`${sim.url}/api/method/no.such.method`, {
      headers: { authorization: 'token sim-key:sim-secret' },
    });
    assert.equal(unknown.status, 404);
  });

  it('starts with a certificate valid for daysValid and re-issues it through /__admin/certificate', async () => {
    const first = await peerCertificate(sim.url, ca.caPem);
    assert.equal(first.authorized, true);
    assert.ok(Math.abs(first.validTo.getTime() - (Date.now() + 20 * DAY_MS)) < 60_000);
    await https(`${sim.url}/__admin/certificate`, { json: { daysValid: 10 } });
    const next = await peerCertificate(sim.url, ca.caPem);
    assert.ok(Math.abs(next.validTo.getTime() - (Date.now() + 10 * DAY_MS)) < 60_000);
  });

  it('injects faults in Frappe/nginx shapes and clears them on reset', async () => {
    const headers = { authorization: 'token sim-key:sim-secret' };
    await https(`${sim.url}/__admin/faults`, {
      json: { status: 429, retryAfterSeconds: 5, path: '/api/method/' },
    });
    const limited = await https(`${sim.url}${loggedUser}`, { headers });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '5');
    assert.equal(await limited.text(), 'Too Many Requests');
    await https(`${sim.url}/__admin/reset`, { method: 'POST' });
    assert.equal((await https(`${sim.url}${loggedUser}`, { headers })).status, 200);

    await https(`${sim.url}/__admin/faults`, { json: { status: 500, times: 1 } });
    const failed = await https(`${sim.url}${loggedUser}`, { headers });
    assert.equal(failed.status, 500);
    assert.equal(((await failed.json()) as FrappeError).exc_type, 'Exception');
    const requests = (await (await https(`${sim.url}/__admin/requests`)).json()) as { status: number }[];
    assert.deepEqual(
      requests.map((r) => r.status),
      [200, 500],
    );
  });

  it('refuses to start without TLS', async () => {
    await assert.rejects(
      startErpnextSimulator({ port: 0 } as unknown as Parameters<typeof startErpnextSimulator>[0]),
      /HTTPS only/,
    );
  });

  it('rate-limits like Frappe: a processing-time budget per window, then 429 with Retry-After', async () => {
    const auth = { headers: { authorization: 'token sim-key:sim-secret' } };
    const admin = await https(`${sim.url}/__admin/rate-limit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 0.000001, window: 60 }),
    });
    assert.equal(admin.status, 200);
    const first = await https(`${sim.url}${loggedUser}`, auth);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit'), '1');
    assert.ok(Number(first.headers.get('x-ratelimit-reset')) <= 60);
    // The first request used up the one-microsecond budget.
    const limited = await https(`${sim.url}${loggedUser}`, auth);
    assert.equal(limited.status, 429);
    assert.equal(await limited.text(), 'Too Many Requests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    // Admin endpoints are never limited; a reset removes the limit.
    assert.equal((await https(`${sim.url}/__admin/reset`, { method: 'POST' })).status, 200);
    assert.equal((await https(`${sim.url}${loggedUser}`, auth)).status, 200);
  });
});
