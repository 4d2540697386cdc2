// The SFTP simulator driven by OpenSSH's own `sftp` client in batch mode, as a partner pushing
// exports would: public-key login with a pinned host key, put, ls -l, rename, get, rm, bye. The
// client must exit 0 on its own (the session closes when the client ends it), and listings must
// carry the files' real times.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSftpSimulator, type SftpSimulator } from '../../../simulators/sftp/server';
import { tempDir } from './helpers';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EXIT_WITHIN_MS = 10_000;

/** Runs `command`; a missing binary is a failure that says what to install. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not exit within ${EXIT_WITHIN_MS} ms; its output:\n${output}`));
    }, EXIT_WITHIN_MS);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error(`${command} not found: install OpenSSH's client (apt-get install openssh-client)`)
          : err,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: performance.now() - started });
    });
  });
}

/** `Nov 30 16:42` (or `Nov 30  2026`) of a long listing line, as local time. */
function listedTime(line: string): Date {
  const m = /\s(\w{3}) +(\d{1,2}) +(\d{2}):(\d{2}) /.exec(line);
  assert.ok(m, `no "Mon DD HH:MM" time of this year in: ${line}`);
  const now = new Date();
  return new Date(now.getFullYear(), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]));
}

describe('simulators/sftp with OpenSSH sftp', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let sim: SftpSimulator;
  let key: string;

  beforeEach(async () => {
    tmp = await tempDir('sftp-openssh-');
    key = path.join(tmp.dir, 'partner_ed25519');
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'partner', '-f', key]);
    } catch (err) {
      throw new Error(`ssh-keygen failed (OpenSSH's client tools, apt-get install openssh-client): ${err}`);
    }
    sim = await startSftpSimulator({
      port: 0,
      rootDir: path.join(tmp.dir, 'root'),
      hostKeyFile: path.join(tmp.dir, 'host-key'),
      authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()],
    });
  });
  afterEach(async () => {
    await sim.close();
    await tmp.remove();
  });

  function sftp(batch: string[]) {
    const knownHosts = path.join(tmp.dir, 'known_hosts');
    writeFileSync(knownHosts, `[${sim.host}]:${sim.port} ${sim.hostPublicKey}\n`);
    const batchFile = path.join(tmp.dir, 'batch');
    writeFileSync(batchFile, `${batch.join('\n')}\n`);
    return run('sftp', [
      '-b',
      batchFile,
      '-F',
      '/dev/null',
      '-i',
      key,
      '-P',
      String(sim.port),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      `${sim.username}@${sim.host}`,
    ]);
  }

  it('takes a put, lists it with its real time, renames, serves and removes it, and lets the client exit', async () => {
    const upload = path.join(tmp.dir, 'upload.csv');
    const content = 'Employee_ID,Legal_First_Name\r\nW1,Ada\r\n'.repeat(5000);
    writeFileSync(upload, content);
    const back = path.join(tmp.dir, 'back.csv');
    const startedAt = Date.now();
    const result = await sftp([
      `put ${upload} /exports/incoming.csv`,
      'ls -l /exports',
      'rename /exports/incoming.csv /exports/workers_20261130.csv',
      'ls -ln /exports',
      `get /exports/workers_20261130.csv ${back}`,
      'rm /exports/workers_20261130.csv',
      'ls -l /exports',
      'bye',
    ]);
    assert.equal(result.code, 0, `sftp exited with ${result.code}:\n${result.output}`);
    assert.ok(result.ms < 5000, `sftp took ${Math.round(result.ms)} ms`);

    const lines = result.output.split('\n');
    // `ls -l` prints the server's long name; `ls -ln` formats the attributes' mtime itself.
    const longName = lines.find((l) => l.startsWith('-') && l.endsWith(' incoming.csv'));
    const fromAttrs = lines.find((l) => l.startsWith('-') && l.endsWith('/workers_20261130.csv'));
    assert.ok(longName && fromAttrs, `listings:\n${result.output}`);
    assert.match(longName, new RegExp(`^-rw-r--r-- +1 +\\w+ +\\w+ +${content.length} `));
    assert.match(fromAttrs, new RegExp(`^-rw-r--r-- +\\S+ +\\d+ +\\d+ +${content.length} `));
    const minute = Math.floor(startedAt / 60_000) * 60_000;
    for (const line of [longName, fromAttrs]) {
      const listed = listedTime(line).getTime();
      assert.ok(listed >= minute && listed <= Date.now(), `not the upload's time: ${line}`);
    }

    assert.equal(readFileSync(back, 'utf8'), content, 'get returns what put sent');
    assert.equal(existsSync(path.join(sim.rootDir, 'exports', 'workers_20261130.csv')), false);
    assert.equal(existsSync(path.join(sim.rootDir, 'exports', 'incoming.csv')), false);
  });

  it('refuses a key that is not authorized', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${key}.other`]);
    key = `${key}.other`;
    const result = await sftp(['ls /exports', 'bye']);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /Permission denied/);
  });
});
