// A real OpenSSH `sshd` for the e2e SFTP tests (DESIGN: real parts where users have them): runs in
// the foreground on a free loopback port with a throwaway config, a fresh ed25519 host key and
// `internal-sftp` chrooted to a temp folder that holds `/exports`, as a Workday SFTP drop looks.
// Password auth for a system user of its own (what our client supports), so it needs root: each
// server creates `workday-sftp-<random>` with a random password (useradd/chpasswd) and deletes it
// when it stops; one shared user would let parallel runs (other worktrees, the benchmark) change
// each other's password. A missing sshd or a non-root run is a failure that says what to do.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { sshFingerprint } from '../../src/vendors/sftp';

export const SSHD_BINARY = process.env.SSHD_BINARY ?? '/usr/sbin/sshd';
/** Prefix of the per-server system users. */
export const SFTP_TEST_USER_PREFIX = 'workday-sftp-';
/** Root-owned and not world-writable, as sshd demands of every component of a ChrootDirectory. */
const CHROOT_PARENT = '/run';

export interface Sshd {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
  /** Local folder that the SFTP user sees as `/exports`. */
  exportsDir: string;
  /** WORKDAY_SFTP_* for a worker that reads the exports from this server. */
  env: Record<string, string>;
  /** sshd's own log (LogLevel VERBOSE): accepted logins, sftp sessions. */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Ids of the processes whose parent is `parent` (Linux /proc). */
function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so parse after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // the process ended while listing
    }
  }
  return pids;
}

/** Children, grandchildren, … of `root`, parents before their children. */
function descendants(root: number): number[] {
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const kids = childPids(queue.shift()!);
    found.push(...kids);
    queue.push(...kids);
  }
  return found;
}

function createTestUser(user: string, password: string): void {
  execFileSync('useradd', [
    '--system',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    user,
  ]);
  execFileSync('chpasswd', { input: `${user}:${password}\n` });
}

function sshdConfig(o: {
  port: number;
  hostKey: string;
  pidFile: string;
  chroot: string;
  user: string;
}): string {
  return [
    `Port ${o.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    'UsePAM no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication no',
    'AuthorizedKeysFile none',
    'PermitRootLogin no',
    `AllowUsers ${o.user}`,
    'Subsystem sftp internal-sftp',
    `ChrootDirectory ${o.chroot}`,
    'ForceCommand internal-sftp',
    'AllowTcpForwarding no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTTY no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** Starts sshd; resolves once it listens. Rejects with the reason when it cannot. */
export async function startSshd(): Promise<Sshd> {
  if (!existsSync(SSHD_BINARY))
    throw new Error(
      `OpenSSH sshd not found at ${SSHD_BINARY}: install it with \`apt-get install openssh-server\` ` +
        '(.ci/run does this on CI), or point SSHD_BINARY at it',
    );
  if (process.getuid?.() !== 0)
    throw new Error(
      'the sshd SFTP tests need root: they create a system user ' +
        `${SFTP_TEST_USER_PREFIX}<random> with a password (our SFTP client authenticates by password)`,
    );
  const dir = mkdtempSync(path.join(CHROOT_PARENT, 'workday-sshd-'));
  chmodSync(dir, 0o755);
  const chroot = path.join(dir, 'root');
  const exportsDir = path.join(chroot, 'exports');
  mkdirSync(exportsDir, { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'workday-sshd-test', '-f', hostKey]);
  const blob = Buffer.from(readFileSync(`${hostKey}.pub`, 'utf8').split(' ')[1]!, 'base64');
  const password = randomBytes(18).toString('base64url');
  const user = `${SFTP_TEST_USER_PREFIX}${randomBytes(4).toString('hex')}`;
  createTestUser(user, password);
  // sshd's privilege-separation folder; the package's service unit would create it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(config, sshdConfig({ port, hostKey, pidFile: path.join(dir, 'sshd.pid'), chroot, user }));
  const child: ChildProcess = spawn(SSHD_BINARY, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const cleanup = () => {
    rmSync(dir, { recursive: true, force: true });
    try {
      execFileSync('userdel', [user], { stdio: 'ignore' });
    } catch {
      // already removed: nothing to undo
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start in 10 s:\n${log}`)), 10_000);
      const onData = () => {
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}:\n${log}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    cleanup();
    throw err;
  }

  const hostKeyFingerprint = sshFingerprint(blob);
  return {
    host: '127.0.0.1',
    port,
    username: user,
    password,
    hostKeyFingerprint,
    exportsDir,
    env: {
      WORKDAY_SFTP_HOST: '127.0.0.1',
      WORKDAY_SFTP_PORT: String(port),
      WORKDAY_SFTP_USERNAME: user,
      WORKDAY_SFTP_PASSWORD: password,
      WORKDAY_SFTP_HOST_KEY_SHA256: hostKeyFingerprint,
      WORKDAY_EXPORT_DIR: '/exports',
    },
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // Each connection has its own sshd processes that outlive the listener: end them leaf
        // first, so each is reaped by its parent and no zombie is left to init.
        for (let i = 0; i < 60; i++) {
          const left = descendants(child.pid!);
          if (i < 20 && left.length > 0) {
            // A session whose client just left ends by itself: give it a moment first.
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          if (left.length === 0) break;
          for (const pid of left.filter((p) => childPids(p).length === 0)) {
            try {
              process.kill(pid, 'SIGTERM');
            } catch {
              // already gone
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}

/** Writes an export where the SFTP user can read it (root writes it, the user only reads). */
export function putExport(sshd: Sshd, name: string, content: Buffer): void {
  writeFileSync(path.join(sshd.exportsDir, name), content, { mode: 0o644 });
}
