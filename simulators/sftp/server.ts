// SFTP simulator: an SSH server (the `ssh2` package) with password auth whose SFTP subsystem serves
// a real folder on disk, chrooted: Workday's EIB pushes `workers_YYYYMMDD.csv` into `/exports`, the
// import reads it from there. Read, write, stat, list, rename and remove, as OpenSSH's sftp-server.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type Connection, type SFTPWrapper, utils } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface SftpSimulatorOptions {
  /** Folder whose content the SFTP root shows; created if missing. */
  rootDir: string;
  /** Where the host key is kept, so clients' pinned fingerprint stays valid across restarts. */
  hostKeyFile: string;
  port?: number;
  host?: string;
  username?: string;
  password?: string;
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

function attrsOf(stats: import('node:fs').Stats) {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

function longname(name: string, stats: import('node:fs').Stats): string {
  const type = stats.isDirectory() ? 'd' : '-';
  return `${type}rw-r--r--    1 workday  workday  ${String(stats.size).padStart(10)} Jan  1 00:00 ${name}`;
}

function serveSftp(sftp: SFTPWrapper, rootDir: string): void {
  const handles = new Map<
    number,
    { kind: 'file'; fh: fs.FileHandle } | { kind: 'dir'; path: string; done: boolean }
  >();
  let nextHandle = 1;
  const toHandle = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const fromHandle = (b: Buffer) => (b.length === 4 ? b.readUInt32BE(0) : -1);
  /** Resolves a client path inside the root; `..` never escapes it. */
  const local = (p: string) => path.join(rootDir, path.posix.normalize(`/${p}`));
  const fail = (id: number, err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    const status =
      code === 'ENOENT'
        ? STATUS_CODE.NO_SUCH_FILE
        : code === 'EACCES'
          ? STATUS_CODE.PERMISSION_DENIED
          : STATUS_CODE.FAILURE;
    sftp.status(id, status, (err as Error).message);
  };

  sftp.on('REALPATH', (id, p) => {
    const resolved = path.posix.normalize(`/${p === '.' ? '' : p}`);
    sftp.name(id, [{ filename: resolved, longname: resolved, attrs: {} as never }]);
  });
  sftp.on('OPEN', (id, filename, flags) => {
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    let mode = 'r';
    if (write)
      mode = flags & OPEN_MODE.APPEND ? 'a' : flags & OPEN_MODE.TRUNC || flags & OPEN_MODE.CREAT ? 'w' : 'r+';
    fs.open(local(filename), mode).then(
      (fh) => {
        const n = nextHandle++;
        handles.set(n, { kind: 'file', fh });
        sftp.handle(id, toHandle(n));
      },
      (err) => fail(id, err),
    );
  });
  sftp.on('READ', (id, handle, offset, length) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    const buffer = Buffer.alloc(length);
    h.fh.read(buffer, 0, length, offset).then(
      ({ bytesRead }) =>
        bytesRead === 0 ? sftp.status(id, STATUS_CODE.EOF) : sftp.data(id, buffer.subarray(0, bytesRead)),
      (err) => fail(id, err),
    );
  });
  sftp.on('WRITE', (id, handle, offset, data) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    h.fh.write(data, 0, data.length, offset).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('FSTAT', (id, handle) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    h.fh.stat().then(
      (s) => sftp.attrs(id, attrsOf(s)),
      (err) => fail(id, err),
    );
  });
  const stat = (id: number, p: string): void =>
    void fs.stat(local(p)).then(
      (s) => sftp.attrs(id, attrsOf(s)),
      (err) => fail(id, err),
    );
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('CLOSE', (id, handle) => {
    const n = fromHandle(handle);
    const h = handles.get(n);
    handles.delete(n);
    if (!h) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    if (h.kind === 'dir') return sftp.status(id, STATUS_CODE.OK);
    h.fh.close().then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('OPENDIR', (id, p) => {
    fs.stat(local(p)).then(
      (s) => {
        if (!s.isDirectory()) return sftp.status(id, STATUS_CODE.FAILURE, 'not a directory');
        const n = nextHandle++;
        handles.set(n, { kind: 'dir', path: local(p), done: false });
        sftp.handle(id, toHandle(n));
      },
      (err) => fail(id, err),
    );
  });
  sftp.on('READDIR', (id, handle) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'dir') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    if (h.done) return sftp.status(id, STATUS_CODE.EOF);
    h.done = true;
    (async () => {
      const names = await fs.readdir(h.path);
      return Promise.all(
        names.map(async (filename) => {
          const s = await fs.stat(path.join(h.path, filename));
          return { filename, longname: longname(filename, s), attrs: attrsOf(s) };
        }),
      );
    })().then(
      (entries) =>
        entries.length === 0 ? sftp.status(id, STATUS_CODE.EOF) : sftp.name(id, entries as never),
      (err) => fail(id, err),
    );
  });
  sftp.on('REMOVE', (id, p) => {
    fs.unlink(local(p)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('RENAME', (id, from, to) => {
    fs.rename(local(from), local(to)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('MKDIR', (id, p) => {
    fs.mkdir(local(p)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('close', () => {
    for (const h of handles.values()) if (h.kind === 'file') void h.fh.close().catch(() => undefined);
    handles.clear();
  });
}

export async function startSftpSimulator(options: SftpSimulatorOptions): Promise<SftpSimulator> {
  const username = options.username ?? 'workday';
  const password = options.password ?? 'sim-sftp-password';
  const host = options.host ?? '127.0.0.1';
  mkdirSync(path.join(options.rootDir, 'exports'), { recursive: true });
  const hostKey = loadHostKey(options.hostKeyFile);
  const parsed = utils.parseKey(hostKey);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = hostKeyFingerprint((Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH());
  const connections = new Set<Connection>();

  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => connections.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && ctx.password === password)
        return ctx.accept();
      return ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), options.rootDir));
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}
