// A throwaway PostgreSQL cluster: initdb into the cluster's folder, then the `postgres` server on a
// free loopback port with password (SCRAM) authentication, as the `postgres` system user when run as
// root (PostgreSQL refuses root). Its socket stays in its own folder, out of the system's.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/workerProcess';
import { startProcess, waitUntil, type Managed } from './process';

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  process: Managed;
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startPostgres(binDir: string, dir: string, logDir: string): Promise<Postgres> {
  const user = 'temporal';
  const password = randomBytes(18).toString('base64url');
  const dataDir = join(dir, 'pgdata');
  const pwFile = join(dir, 'pg-password');
  mkdirSync(dir, { recursive: true });
  writeFileSync(pwFile, password, { mode: 0o600 });
  const asUser = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (process.getuid?.() === 0 && !asUser)
    throw new Error('running as root needs the `postgres` system user');
  if (asUser) {
    chownSync(dir, asUser.uid, asUser.gid);
    chownSync(pwFile, asUser.uid, asUser.gid);
  }
  const init = spawnSync(
    join(binDir, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--no-instructions',
    ],
    { encoding: 'utf8', uid: asUser?.uid, gid: asUser?.gid },
  );
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const server = startProcess(
    'postgresql',
    join(binDir, 'postgres'),
    // Four Temporal services share one process, each with its own pools: room for them and the tools.
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ],
    join(logDir, 'postgresql.log'),
    asUser ?? {},
  );
  await waitUntil(`PostgreSQL listening on ${port}`, () => canConnect(port), server, 60_000);
  return { host: '127.0.0.1', port, user, password, process: server };
}
