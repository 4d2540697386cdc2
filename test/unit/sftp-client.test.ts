// The SFTP client (src/vendors/sftp.ts) against the SFTP simulator: pipelined reads return exactly
// the file's bytes from any offset, also from a server that caps each READ; a reader that stops
// early leaves no file open on the server; a wrong host key is reported as a possible attack with
// both fingerprints, never as rejected credentials.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asActivityFailure } from '../../src/activities/shared/failures';
import { VendorError } from '../../src/vendors/errors';
import { SftpSource, type SftpOptions } from '../../src/vendors/sftp';
import { startSftpSimulator, type SftpSimulator } from '../../simulators/sftp/server';
import { waitFor } from '../helpers/waitFor';
import { tempDir } from './simulators/helpers';

async function readAll(source: SftpSource, file: string, start = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await source.read(file, start)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function rejection(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof VendorError, `not a VendorError: ${String(err)}`);
  return err;
}

const openFiles = () => readdirSync('/proc/self/fd').length;

describe('vendors/sftp client', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let sim: SftpSimulator;
  const content = randomBytes(1_000_003);
  const file = '/exports/workers_20261130.csv';
  const sources: SftpSource[] = [];
  const source = (options: Partial<SftpOptions> = {}) => {
    const s = new SftpSource({ ...sim, ...options });
    sources.push(s);
    return s;
  };

  async function start(maxReadLength?: number) {
    sim = await startSftpSimulator({
      port: 0,
      rootDir: path.join(tmp.dir, 'root'),
      hostKeyFile: path.join(tmp.dir, 'host-key'),
      maxReadLength,
    });
    writeFileSync(path.join(sim.rootDir, file), content);
  }

  beforeEach(async () => {
    tmp = await tempDir('sftp-client-');
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.close();
    await sim.close();
    await tmp.remove();
  });

  it('reads the whole file and any tail of it, byte for byte', async () => {
    await start();
    const client = source({ pipeline: { chunkSize: 4096, maxInFlight: 8 } });
    assert.ok((await readAll(client, file)).equals(content));
    for (const offset of [1, 4095, 4096, 500_000, content.length - 1, content.length])
      assert.ok((await readAll(client, file, offset)).equals(content.subarray(offset)), `from ${offset}`);
  });

  it('asks again where a server that caps each READ stopped, leaving no gap', async () => {
    await start(10_000);
    const client = source({ pipeline: { chunkSize: 16_384, maxInFlight: 8 } });
    assert.ok((await readAll(client, file, 7)).equals(content.subarray(7)));
  });

  it('closes the remote file when the reader stops early', async () => {
    await start();
    const client = source();
    await client.size(file); // the connection is up before counting
    const before = openFiles();
    for (let i = 0; i < 20; i++) {
      const stream = await client.read(file, i * 10_000);
      for await (const chunk of stream) if ((chunk as Buffer).length > 0) break;
    }
    await waitFor(
      'the simulator to close every file handle',
      async () => (openFiles() <= before ? true : undefined),
      10_000,
    );
  });

  it('reports a missing file as such, through the stream', async () => {
    await start();
    const err = await rejection(readAll(source(), '/exports/workers_20000101.csv'));
    assert.equal(err.kind, 'invalid');
    assert.equal(err.details.code, 'ENOENT');
  });

  it('reports a host key other than the pinned one as a possible attack, not retried', async () => {
    await start();
    const pinned = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
    const err = await rejection(source({ hostKeyFingerprint: pinned }).list('/exports'));
    assert.equal(err.kind, 'untrusted');
    assert.match(err.message, /host key mismatch/);
    assert.ok(err.message.includes(`expected ${pinned}`), err.message);
    assert.ok(err.message.includes(`presented ${sim.hostKeyFingerprint}`), err.message);
    assert.doesNotMatch(err.message, /credentials|authentication/i);
    const failure = asActivityFailure(err) as { type: string; nonRetryable: boolean };
    assert.equal(failure.type, 'UntrustedServer');
    assert.equal(failure.nonRetryable, true);
  });

  it('still reports a wrong password as rejected credentials', async () => {
    await start();
    const err = await rejection(source({ password: 'not-the-password' }).list('/exports'));
    assert.equal(err.kind, 'auth');
    assert.equal((asActivityFailure(err) as { type: string }).type, 'CredentialsRejected');
  });
});
