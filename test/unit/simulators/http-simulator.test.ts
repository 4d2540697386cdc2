import assert from 'node:assert/strict';
import { startHttpSimulator, type HttpSimulator } from '../../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../../simulators/kit/local-ca';
import { DAY_MS, fetchWith, peerCertificate, tempDir, verifiedHandshake } from './helpers';

interface ToyState {
  hits: number;
}

function startToy(tls?: { ca: LocalCa; daysValid?: number }): Promise<HttpSimulator<ToyState>> {
  return startHttpSimulator<ToyState>({
    name: 'toy',
    port: 0,
    tls,
    createState: () => ({ hits: 0 }),
    faultBody: (status, message) => ({ vendorError: status, message }),
    routes(app, ctx) {
      app.get('/api/thing', async () => ({ hits: ++ctx.state.hits }));
      app.get('/other', async () => ({ ok: true }));
      app.get('/__admin/hits', async () => ({ hits: ctx.state.hits }));
    },
  });
}

describe('simulators/kit/http-simulator', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
  });
  after(() => tmp.remove());

  describe('over HTTP', () => {
    let sim: HttpSimulator<ToyState>;
    const http = fetchWith();
    beforeEach(async () => {
      sim = await startToy();
    });
    afterEach(() => sim.close());
    after(() => http.close());

    it('serves on 127.0.0.1 and records requests', async () => {
      assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(await (await http(`${sim.url}/api/thing?x=1`)).json(), { hits: 1 });
      const requests = (await (await http(`${sim.url}/__admin/requests`)).json()) as {
        method: string;
        path: string;
        status: number;
      }[];
      assert.equal(requests.length, 1);
      assert.deepEqual(
        [requests[0]?.method, requests[0]?.path, requests[0]?.status],
        ['GET', '/api/thing', 200],
      );
    });

    it('injects 429 with Retry-After for a number of requests on a path prefix, in the vendor shape', async () => {
      const created = await http(`${sim.url}/__admin/faults`, {
        json: { status: 429, retryAfterSeconds: 7, times: 2, path: '/api/' },
      });
      assert.equal(created.status, 201);
      for (let i = 0; i < 2; i++) {
        const faulted = await http(`${sim.url}/api/thing`);
        assert.equal(faulted.status, 429);
        assert.equal(faulted.headers.get('retry-after'), '7');
        assert.deepEqual(await faulted.json(), { vendorError: 429, message: 'Simulated fault 429' });
      }
      assert.equal((await http(`${sim.url}/other`)).status, 200);
      assert.equal((await http(`${sim.url}/api/thing`)).status, 200);
      assert.equal(sim.state.hits, 1);
    });

    it('defaults Retry-After to 1 on 429, sends none on 5xx, and keeps faulting until reset', async () => {
      await http(`${sim.url}/__admin/faults`, { json: { status: 503 } });
      for (let i = 0; i < 3; i++) {
        const r = await http(`${sim.url}/other`);
        assert.equal(r.status, 503);
        assert.equal(r.headers.get('retry-after'), null);
      }
      await http(`${sim.url}/__admin/reset`, { method: 'POST' });
      await http(`${sim.url}/__admin/faults`, { json: { status: 429, times: 1 } });
      assert.equal((await http(`${sim.url}/other`)).headers.get('retry-after'), '1');
      assert.equal((await http(`${sim.url}/other`)).status, 200);
    });

    it('adds latency only when status is omitted', async () => {
      await http(`${sim.url}/__admin/faults`, { json: { latencyMs: 150, times: 1 } });
      const started = Date.now();
      const r = await http(`${sim.url}/api/thing`);
      assert.equal(r.status, 200);
      assert.ok(Date.now() - started >= 140, 'latency applied');
    });

    it('rejects malformed faults and never faults the admin endpoints', async () => {
      assert.equal((await http(`${sim.url}/__admin/faults`, { json: { status: 42 } })).status, 400);
      assert.equal((await http(`${sim.url}/__admin/faults`, { json: {} })).status, 400);
      await http(`${sim.url}/__admin/faults`, { json: { status: 500 } });
      assert.equal((await http(`${sim.url}/__admin/hits`)).status, 200);
    });

    it('reset clears faults, recorded requests and state', async () => {
      await http(`${sim.url}/api/thing`);
      await http(`${sim.url}/__admin/faults`, { json: { status: 500 } });
      await http(`${sim.url}/__admin/reset`, { method: 'POST' });
      assert.deepEqual(await (await http(`${sim.url}/__admin/faults`)).json(), []);
      assert.deepEqual(await (await http(`${sim.url}/__admin/requests`)).json(), []);
      assert.deepEqual(await (await http(`${sim.url}/api/thing`)).json(), { hits: 1 });
    });

    it('answers unknown paths with the vendor error shape and has no certificate endpoint', async () => {
      const r = await http(`${sim.url}/nope`);
      assert.equal(r.status, 404);
      assert.equal(((await r.json()) as { vendorError: number }).vendorError, 404);
      assert.equal((await http(`${sim.url}/__admin/certificate`, { json: { daysValid: 1 } })).status, 404);
      await assert.rejects(sim.setCertificateExpiry(new Date()), /not HTTPS/);
    });
  });

  describe('over HTTPS', () => {
    let sim: HttpSimulator<ToyState>;
    let https: ReturnType<typeof fetchWith>;
    beforeEach(async () => {
      sim = await startToy({ ca, daysValid: 30 });
      https = fetchWith(ca.caPem);
    });
    afterEach(async () => {
      await https.close();
      await sim.close();
    });

    it('serves https://localhost with a certificate that verifies against the local CA only', async () => {
      assert.match(sim.url, /^https:\/\/localhost:\d+$/);
      assert.equal((await https(`${sim.url}/api/thing`)).status, 200);
      await verifiedHandshake(sim.port, ca.caPem);
      await assert.rejects(verifiedHandshake(sim.port, undefined), /self[- ]signed|unable to (get|verify)/i);
      const untrusted = fetchWith();
      await assert.rejects(untrusted(`${sim.url}/api/thing`));
      await untrusted.close();
      const peer = await peerCertificate(sim.url, ca.caPem);
      assert.equal(peer.authorized, true);
      assert.ok(Math.abs(peer.validTo.getTime() - (Date.now() + 30 * DAY_MS)) < 60_000);
    });

    it('re-issues the certificate through /__admin/certificate; the next handshake sees the new expiry', async () => {
      const before = await peerCertificate(sim.url, ca.caPem);
      const r = await https(`${sim.url}/__admin/certificate`, { json: { daysValid: 10 } });
      assert.equal(r.status, 200);
      const info = (await r.json()) as { notAfter: string; serialNumber: string };
      const after = await peerCertificate(sim.url, ca.caPem);
      assert.notEqual(after.serialNumber, before.serialNumber);
      // valid_to has second precision.
      assert.ok(Math.abs(after.validTo.getTime() - (Date.now() + 10 * DAY_MS)) < 60_000);
      assert.ok(Math.abs(after.validTo.getTime() - new Date(info.notAfter).getTime()) < 1000);
      assert.deepEqual(await (await https(`${sim.url}/__admin/certificate`)).json(), info);
    });

    it('serves an expired certificate on demand (setCertificateExpiry and notAfter ISO)', async () => {
      await sim.setCertificateExpiry(new Date(Date.now() - DAY_MS));
      await assert.rejects(verifiedHandshake(sim.port, ca.caPem), /certificate has expired/i);
      const peer = await peerCertificate(sim.url, ca.caPem);
      assert.equal(peer.authorized, false);
      assert.equal(peer.authorizationError, 'CERT_HAS_EXPIRED');

      // A verifying client can no longer reach /__admin: recover through an insecure one.
      await assert.rejects(https(`${sim.url}/__admin/certificate`));
      const insecure = fetchWith(ca.caPem, true);
      const notAfter = new Date(Date.now() + 3 * DAY_MS);
      const r = await insecure(`${sim.url}/__admin/certificate`, {
        json: { notAfter: notAfter.toISOString() },
      });
      assert.equal(r.status, 200);
      assert.ok(
        Math.abs((await peerCertificate(sim.url, ca.caPem)).validTo.getTime() - notAfter.getTime()) < 1000,
      );
      await insecure.close();
      assert.equal(
        (await https(`${sim.url}/__admin/certificate`, { json: { notAfter: 'soon' } })).status,
        400,
      );
    });
  });
});
