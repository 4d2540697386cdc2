// SFTP client for the Workday export folder (`ssh2-sftp-client`): one connection per worker, opened
// on first use and reopened after a failure; the server's host key is pinned by its SHA-256
// fingerprint (the SSH counterpart of verified TLS: there is no switch that turns it off).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { VendorError } from './errors';

export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  readyTimeoutMs?: number;
}

export interface RemoteFile {
  name: string;
  size: number;
  modifiedAt: number;
}

export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

const AUTH_PATTERN = /authentication|All configured authentication methods failed|host key|Host denied/i;

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

export class SftpSource {
  private client: SftpClient | undefined;
  private connecting: Promise<SftpClient> | undefined;

  constructor(private readonly options: SftpOptions) {}

  private connection(): Promise<SftpClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new SftpClient('workday');
      const expected = this.options.hostKeyFingerprint;
      try {
        await client.connect({
          host: this.options.host,
          port: this.options.port,
          username: this.options.username,
          password: this.options.password,
          readyTimeout: this.options.readyTimeoutMs ?? 20_000,
          retries: 0, // Temporal owns retries
          hostVerifier: (key: Buffer) => sshFingerprint(key) === expected,
        } as SftpClient.ConnectOptions);
      } catch (err) {
        this.connecting = undefined;
        throw asVendorError(err, `connect ${this.options.host}:${this.options.port}`);
      }
      client.on('close', () => {
        if (this.client === client) this.client = undefined;
      });
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      this.client = client;
      this.connecting = undefined;
      return client;
    })();
    return this.connecting;
  }

  private async run<T>(what: string, fn: (client: SftpClient) => Promise<T>): Promise<T> {
    const client = await this.connection();
    try {
      return await fn(client);
    } catch (err) {
      const vendorError = asVendorError(err, what);
      // A broken connection is dropped so the next call (Temporal's retry) opens a fresh one.
      if (vendorError.kind === 'unavailable') await this.close();
      throw vendorError;
    }
  }

  async list(dir: string): Promise<RemoteFile[]> {
    return this.run(`list ${dir}`, async (c) =>
      (await c.list(dir))
        .filter((f) => f.type === '-')
        .map((f) => ({ name: f.name, size: f.size, modifiedAt: f.modifyTime })),
    );
  }

  async size(file: string): Promise<number> {
    return this.run(`stat ${file}`, async (c) => (await c.stat(file)).size);
  }

  /** A stream of the file from byte `start`; the caller destroys it when it has read enough. */
  async read(file: string, start = 0): Promise<Readable> {
    return this.run(
      `read ${file}`,
      async (c) => c.createReadStream(file, { start, autoClose: true }) as Readable,
    );
  }

  async write(file: string, content: Buffer | string): Promise<void> {
    await this.run(`write ${file}`, (c) => c.put(Buffer.from(content), file));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
