// SFTP simulator: an SSH server (the `ssh2` package) with password or public-key auth whose SFTP
// subsystem serves a real folder on disk (folder.ts): Workday's EIB pushes `workers_YYYYMMDD.csv`
// into `/exports`, the import reads it from there.
import { createHash, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type AuthContext, type Connection, type ParsedKey, utils } from 'ssh2';
import { serveFolder } from './folder';

export interface SftpSimulatorOptions {
  /** Folder whose content the SFTP root shows; created if missing. */
  rootDir: string;
  /** Where the host key is kept, so clients' pinned fingerprint stays valid across restarts. */
  hostKeyFile: string;
  port?: number;
  host?: string;
  username?: string;
  password?: string;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA… comment`) that may log in as `username` too. */
  authorizedKeys?: string[];
  /** Most bytes one READ returns, as servers cap it (OpenSSH: 256 KiB); a client must ask again. */
  maxReadLength?: number;
}

export interface SftpSimulator {
  name: 'sftp';
  host: string;
  port: number;
  username: string;
  password: string;
  rootDir: string;
  /** `SHA256:<base64>` of the host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** The host key as a known_hosts entry takes it: `ssh-rsa AAAA…`. */
  hostPublicKey: string;
  close(): Promise<void>;
}

export function hostKeyFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

function loadHostKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(path.dirname(file), { recursive: true });
  // RSA in PKCS#1 PEM from Node's crypto: ssh2 parses it reliably (its own ed25519 generator
  // now and then writes keys its parser rejects as "Malformed OpenSSH private key").
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  writeFileSync(file, privateKey, { mode: 0o600 });
  return privateKey;
}

function parsePublicKey(line: string): ParsedKey {
  const key = utils.parseKey(line);
  if (key instanceof Error) throw new Error(`authorizedKeys: ${key.message}`);
  return Array.isArray(key) ? key[0]! : key;
}

/**
 * Password, or one of the authorized keys: a query without signature is answered "acceptable"
 * (the SSH public-key flow), a signed attempt must verify against that key.
 */
function accepts(ctx: AuthContext, password: string, keys: ParsedKey[]): boolean {
  if (ctx.method === 'password') return ctx.password === password;
  if (ctx.method !== 'publickey') return false;
  const key = keys.find((k) => {
    const blob = k.getPublicSSH();
    return blob.length === ctx.key.data.length && timingSafeEqual(blob, ctx.key.data);
  });
  if (!key) return false;
  return !ctx.signature || key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
}

export async function startSftpSimulator(options: SftpSimulatorOptions): Promise<SftpSimulator> {
  const username = options.username ?? 'workday';
  const password = options.password ?? 'sim-sftp-password';
  const host = options.host ?? '127.0.0.1';
  mkdirSync(path.join(options.rootDir, 'exports'), { recursive: true });
  const hostKey = loadHostKey(options.hostKeyFile);
  const parsed = utils.parseKey(hostKey);
  if (parsed instanceof Error) throw parsed;
  const hostPublic = Array.isArray(parsed) ? parsed[0]! : parsed;
  const fingerprint = hostKeyFingerprint(hostPublic.getPublicSSH());
  const authorizedKeys = (options.authorizedKeys ?? []).map(parsePublicKey);
  const connections = new Set<Connection>();

  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    connections.add(client);
    // Small SFTP requests and replies must not wait for Nagle's algorithm (40 ms a round trip).
    // `setNoDelay` is documented for Connection in ssh2's README, missing from @types/ssh2.
    (client as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    client.on('close', () => connections.delete(client));
    client.on('error', () => connections.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.username === username && accepts(ctx, password, authorizedKeys)) return ctx.accept();
      return ctx.reject(authorizedKeys.length > 0 ? ['publickey', 'password'] : ['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => serveFolder(acceptSftp(), options.rootDir, options.maxReadLength));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: 'sftp',
    host,
    port,
    username,
    password,
    rootDir: options.rootDir,
    hostKeyFingerprint: fingerprint,
    hostPublicKey: `${hostPublic.type} ${hostPublic.getPublicSSH().toString('base64')}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}
