// SFTP client for the Workday export folder (`ssh2-sftp-client`): one connection per worker, opened
// on first use and reopened after a failure; the server's host key is pinned by its SHA-256
// fingerprint (the SSH counterpart of verified TLS: there is no switch that turns it off). Files
// are read with several requests in flight (sftpRead.ts) over a socket without Nagle's delay.
import { createHash } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { VendorError } from './errors';
import { DEFAULT_PIPELINE, pipelinedReadStream, type PipelineOptions } from './sftpRead';

export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  readyTimeoutMs?: number;
  /** Read requests: size and how many in flight (default 64 KiB, 16). */
  pipeline?: PipelineOptions;
}

export interface RemoteFile {
  name: string;
  size: number;
  modifiedAt: number;
}

export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

const AUTH_PATTERN = /authentication|All configured authentication methods failed/i;

function asVendorError(err: unknown, what: string): VendorError {
  if (err instanceof VendorError) return err;
  const message = (err as Error).message ?? String(err);
  const code = (err as { code?: string | number }).code;
  if (code === 2 || code === 'ENOENT' || /No such file/i.test(message))
    return new VendorError('sftp', 'invalid', `${what}: no such file`, { code: 'ENOENT' });
  if (AUTH_PATTERN.test(message)) return new VendorError('sftp', 'auth', `${what}: ${message}`);
  return new VendorError('sftp', 'unavailable', `${what}: ${message}`, {
    code: typeof code === 'string' ? code : undefined,
  });
}

/** The server is not the one pinned: a possible man in the middle, never retried. */
function hostKeyMismatch(where: string, expected: string, presented: string): VendorError {
  return new VendorError(
    'sftp',
    'untrusted',
    `connect ${where}: host key mismatch, possibly an attack: expected ${expected}, presented ${presented}`,
    { code: 'HostKeyMismatch' },
  );
}

interface Connection {
  client: SftpClient;
  sftp: SFTPWrapper;
}

export class SftpSource {
  private client: Connection | undefined;
  private connecting: Promise<Connection> | undefined;

  constructor(private readonly options: SftpOptions) {}

  private connection(): Promise<Connection> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      // A dropped connection is handled below; the library's default callbacks only print it.
      const quiet = () => undefined;
      const client = new SftpClient('workday', { error: quiet, end: quiet, close: quiet });
      const { host, port } = this.options;
      const expected = this.options.hostKeyFingerprint;
      let presented: string | undefined;
      let sftp: SFTPWrapper;
      try {
        sftp = await client.connect({
          host,
          port,
          // Our own socket, for TCP_NODELAY: small READ requests must not wait for an ACK.
          sock: tcpConnect({ host, port, noDelay: true }),
          username: this.options.username,
          password: this.options.password,
          readyTimeout: this.options.readyTimeoutMs ?? 20_000,
          retries: 0, // Temporal owns retries
          hostVerifier: (key: Buffer) => (presented = sshFingerprint(key)) === expected,
        } as SftpClient.ConnectOptions);
      } catch (err) {
        this.connecting = undefined;
        if (presented !== undefined && presented !== expected)
          throw hostKeyMismatch(`${host}:${port}`, expected, presented);
        throw asVendorError(err, `connect ${host}:${port}`);
      }
      client.on('close', () => {
        if (this.client?.client === client) this.client = undefined;
      });
      client.on('error', () => {
        if (this.client?.client === client) this.client = undefined;
      });
      this.client = { client, sftp };
      this.connecting = undefined;
      return this.client;
    })();
    return this.connecting;
  }

  private async run<T>(what: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connection();
    try {
      return await fn(connection);
    } catch (err) {
      const vendorError = asVendorError(err, what);
      // A broken connection is dropped so the next call (Temporal's retry) opens a fresh one.
      if (vendorError.kind === 'unavailable') await this.close();
      throw vendorError;
    }
  }

  async list(dir: string): Promise<RemoteFile[]> {
    return this.run(`list ${dir}`, async ({ client }) =>
      (await client.list(dir))
        .filter((f) => f.type === '-')
        .map((f) => ({ name: f.name, size: f.size, modifiedAt: f.modifyTime })),
    );
  }

  async size(file: string): Promise<number> {
    return this.run(`stat ${file}`, async ({ client }) => (await client.stat(file)).size);
  }

  /** A stream of the file from byte `start`; the caller destroys it when it has read enough. */
  async read(file: string, start = 0): Promise<Readable> {
    const what = `read ${file}`;
    return this.run(what, async ({ sftp }) =>
      pipelinedReadStream(sftp, file, start, this.options.pipeline ?? DEFAULT_PIPELINE, (err) =>
        asVendorError(err, what),
      ),
    );
  }

  async write(file: string, content: Buffer | string): Promise<void> {
    await this.run(`write ${file}`, ({ client }) => client.put(Buffer.from(content), file));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.client.end().catch(() => undefined);
  }
}
