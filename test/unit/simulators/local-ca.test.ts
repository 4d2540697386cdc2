import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createLocalCa } from '../../../simulators/kit/local-ca';
import { DAY_MS, tempDir, verifiedHandshake } from './helpers';

describe('simulators/kit/local-ca', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(() => tmp.remove());

  it('writes ca.pem and a private key file, and reuses them on the next call', async () => {
    const first = await createLocalCa(tmp.dir);
    assert.equal(first.caFile, path.join(tmp.dir, 'ca.pem'));
    assert.equal(await readFile(first.caFile, 'utf8'), first.caPem);
    assert.equal((await stat(path.join(tmp.dir, 'ca-key.pem'))).mode & 0o777, 0o600);
    const ca = new X509Certificate(first.caPem);
    assert.equal(ca.ca, true);

    const second = await createLocalCa(tmp.dir);
    assert.equal(second.caPem, first.caPem);
    // A leaf issued by the reloaded CA still chains to the same root.
    const leaf = await second.issue({ hosts: ['localhost'], notAfter: new Date(Date.now() + DAY_MS) });
    assert.equal(new X509Certificate(leaf.certPem).verify(ca.publicKey), true);
  });

  it('issues leaf certificates with SANs, serverAuth, the asked expiry and unique serials', async () => {
    const ca = await createLocalCa(tmp.dir);
    const notAfter = new Date(Date.now() + 10 * DAY_MS);
    const a = await ca.issue({ hosts: ['localhost', '127.0.0.1'], notAfter });
    const b = await ca.issue({ hosts: ['localhost', '127.0.0.1'], notAfter });
    const cert = new X509Certificate(a.certPem);
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(cert.ca, false);
    assert.equal(cert.checkIssued(new X509Certificate(ca.caPem)), true);
    assert.ok(Math.abs(new Date(cert.validTo).getTime() - notAfter.getTime()) < 1000);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.notEqual(cert.serialNumber, new X509Certificate(b.certPem).serialNumber);
  });

  it('verifies with node:tls when the client trusts the CA and sends SNI localhost, and fails otherwise', async () => {
    const ca = await createLocalCa(tmp.dir);
    const leaf = await ca.issue({
      hosts: ['localhost', '127.0.0.1'],
      notAfter: new Date(Date.now() + DAY_MS),
    });
    const server = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await verifiedHandshake(port, ca.caPem, 'localhost');
      await assert.rejects(
        verifiedHandshake(port, undefined, 'localhost'),
        /self[- ]signed|unable to (get|verify)/i,
      );
      await assert.rejects(
        verifiedHandshake(port, ca.caPem, 'example.com'),
        /ERR_TLS_CERT_ALTNAME_INVALID|altnames/i,
      );
    } finally {
      server.close();
    }
  });

  it('issues already-expired certificates when notAfter is in the past', async () => {
    const ca = await createLocalCa(tmp.dir);
    const leaf = await ca.issue({ hosts: ['localhost'], notAfter: new Date(Date.now() - DAY_MS) });
    assert.ok(leaf.notBefore < leaf.notAfter);
    assert.ok(leaf.notAfter.getTime() < Date.now());
  });
});
