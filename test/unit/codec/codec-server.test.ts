// The codec server as the Web UI and the CLI call it: bearer token on every request, CORS for the
// UI's origin only, payloads round-trip through the protocol's base64 JSON, a missing key named.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../../src/codec/encryptionCodec';
import { keyRingFrom } from '../../../src/codec/keyRing';
import { createCodecServer } from '../../../src/codec/server';
import { TEST_KEY_RING, testRing } from '../../helpers/codec';

const TOKEN = 'codec-test-token';
const UI = 'http://localhost:8233';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const plain = {
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify({ name: 'Ingrid Bergström' })),
};

describe('codec server', () => {
  let app: FastifyInstance;
  const server = (ring = TEST_KEY_RING) =>
    createCodecServer({ codec: new EncryptionCodec(keyRingFrom(ring)), token: TOKEN, corsOrigins: [UI] });
  before(async () => {
    app = await server();
  });
  after(() => app.close());

  const post = (url: string, payloads: unknown[], headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload: { payloads },
      headers: { 'x-namespace': 'default', ...headers },
    });
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers 401 to a request without the token or with another one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await post('/decode', [plain], headers);
      assert.equal(res.statusCode, 401);
      assert.ok(!res.body.includes('Ingrid'));
    }
    assert.equal((await post('/ui/wrong/decode', [plain])).statusCode, 401);
  });

  it("answers the Web UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ok = await preflight(UI);
    assert.equal(ok.statusCode, 204);
    assert.equal(ok.headers['access-control-allow-origin'], UI);
    assert.match(String(ok.headers['access-control-allow-headers']), /X-Namespace/i);
    assert.equal((await preflight('https://evil.example')).headers['access-control-allow-origin'], undefined);
  });

  it('encodes and decodes payloads round trip, with the token as header or as the UI path', async () => {
    const encoded = await post('/encode', [plain], auth);
    assert.equal(encoded.statusCode, 200);
    const sealed = encoded.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>()
      .payloads;
    assert.equal(Buffer.from(sealed[0]!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(sealed[0]!.data, 'base64').toString().includes('Ingrid'));
    const decoded = await post(`/ui/${TOKEN}/decode`, sealed, { origin: UI });
    assert.equal(decoded.statusCode, 200);
    assert.equal(decoded.headers['access-control-allow-origin'], UI);
    assert.deepEqual(decoded.json(), { payloads: [plain] });
  });

  it('names the missing key when its ring cannot decrypt a payload, and refuses a malformed body', async () => {
    const eu = await new EncryptionCodec(keyRingFrom(TEST_KEY_RING)).encode(
      [defaultPayloadConverter.toPayload({ name: 'Ingrid' })!],
      { type: 'workflow', namespace: 'default', workflowId: 'dlq-erpnext-eu' },
    );
    const nonEu = await server(testRing({ withoutEu: true }));
    try {
      const res = await nonEu.inject({
        method: 'POST',
        url: '/decode',
        headers: auth,
        payload: {
          payloads: eu.map((p) => ({
            metadata: Object.fromEntries(
              Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
            ),
            data: Buffer.from(p.data!).toString('base64'),
          })),
        },
      });
      assert.equal(res.statusCode, 422);
      assert.match(
        res.json<{ message: string }>().message,
        /key test-eu-1, which is not in this codec key ring/,
      );
    } finally {
      await nonEu.close();
    }
    assert.equal((await post('/decode', [{ data: 'not base64!' }], auth)).statusCode, 400);
  });
});
