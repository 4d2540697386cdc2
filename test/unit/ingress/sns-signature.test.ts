// SNS signature checks against a certificate served over HTTPS by a local server: both signature
// versions verify, a changed field or a foreign key does not, a host off the trusted pattern is
// refused before anything is fetched, and a certificate is fetched once per URL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalCa } from '../../../simulators/kit/local-ca';
import { createSnsSigningKey, signSnsMessage, type SnsSigningKey } from '../../../simulators/ses/sns';
import {
  DEFAULT_SNS_CERT_HOST_PATTERN,
  parseSnsMessage,
  SnsVerifier,
  type SnsMessage,
} from '../../../src/ingress/snsSignature';
import { fetchDispatcher } from '../../../src/vendors/https';

describe('SNS signature verification', function () {
  this.timeout(30_000);
  let server: Server;
  let dir: string;
  let key: SnsSigningKey;
  let certUrl: string;
  let fetches = 0;
  let verifier: SnsVerifier;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sns-'));
    const ca = await createLocalCa(join(dir, 'ca'));
    const tls = await ca.issue({ hosts: ['127.0.0.1'], notAfter: new Date(Date.now() + 86_400_000) });
    key = await createSnsSigningKey();
    server = createServer({ key: tls.keyPem, cert: tls.certPem }, (_req, res) => {
      fetches++;
      res.end(key.certPem);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    certUrl = `https://127.0.0.1:${port}/SimpleNotificationService-test.pem`;
    verifier = new SnsVerifier(`^127\\.0\\.0\\.1:${port}$`, fetchDispatcher(ca.caPem));
  });
  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fields = (id: string) => ({
    Type: 'Notification' as const,
    MessageId: id,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
    Subject: 'Amazon SES Email Event Notification',
    Message: '{"eventType":"Bounce"}',
    Timestamp: '2026-11-30T09:00:00.000Z',
  });
  const parsed = (m: object) => parseSnsMessage(Buffer.from(JSON.stringify(m))) as SnsMessage;

  it('accepts SignatureVersion 1 and 2 and fetches the certificate once', async () => {
    const before = fetches;
    assert.deepEqual(await verifier.verify(parsed(signSnsMessage(fields('m1'), key, certUrl, '1'))), {
      ok: true,
    });
    assert.deepEqual(await verifier.verify(parsed(signSnsMessage(fields('m2'), key, certUrl, '2'))), {
      ok: true,
    });
    assert.equal(fetches - before, 1);
  });

  it('refuses a changed field, a foreign key and an unknown version', async () => {
    const signed = signSnsMessage(fields('m3'), key, certUrl, '2');
    assert.deepEqual(await verifier.verify(parsed({ ...signed, Message: '{"eventType":"Complaint"}' })), {
      ok: false,
      reason: 'bad_signature',
    });
    const foreign = signSnsMessage(fields('m4'), await createSnsSigningKey(), certUrl, '2');
    assert.equal((await verifier.verify(parsed(foreign))).ok, false);
    assert.equal((await verifier.verify(parsed({ ...signed, SignatureVersion: '3' }))).ok, false);
  });

  it('refuses a certificate off the trusted pattern without fetching it', async () => {
    const before = fetches;
    const port = new URL(certUrl).port;
    for (const url of [
      `https://localhost:${port}/SimpleNotificationService-test.pem`,
      certUrl.replace('https:', 'http:'),
      `https://127.0.0.1:${port}.evil.example/SimpleNotificationService-test.pem`,
      certUrl.replace('.pem', '.txt'),
    ])
      assert.deepEqual(await verifier.verify(parsed(signSnsMessage(fields('m5'), key, url, '2'))), {
        ok: false,
        reason: 'untrusted_cert_host',
      });
    assert.equal(fetches, before);
  });

  it('the production pattern trusts https://sns.<region>.amazonaws.com only', async () => {
    const production = new SnsVerifier(DEFAULT_SNS_CERT_HOST_PATTERN, fetchDispatcher());
    assert.equal(production.trusted('https://sns.us-east-1.amazonaws.com/x.pem'), true);
    assert.equal(production.trusted('https://sns.cn-north-1.amazonaws.com.cn/x.pem'), true);
    for (const url of [
      'https://sns.us-east-1.amazonaws.com.evil.com/x.pem',
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/x.pem',
      'https://evil.com/sns.us-east-1.amazonaws.com/x.pem',
      'https://user@sns.us-east-1.amazonaws.com/x.pem',
      'https://xsns.us-east-1.amazonaws.com/x.pem',
    ])
      assert.equal(production.trusted(url), false, url);
    // Refused before anything is fetched (no such host is reachable from here).
    const m = parsed(
      signSnsMessage(fields('m6'), key, 'https://sns.us-east-1.amazonaws.com.evil.com/x.pem', '2'),
    );
    assert.deepEqual(await production.verify(m), { ok: false, reason: 'untrusted_cert_host' });
  });
});
