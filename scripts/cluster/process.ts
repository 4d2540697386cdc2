// One child process of the cluster, its output in a log file (the cluster's processes are many and
// long-lived: a terminal would interleave them), stoppable and killable by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** The last lines of its log, for error messages. */
  tail(chars?: number): string;
  /** SIGTERM (or `signal`) and wait for the exit; a process that is gone already returns at once. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: StartOptions = {},
): Managed {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = once(child, 'exit').then(() => undefined);
  void exited.then(() => log.end());
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    child,
    logFile,
    tail: (chars = 3000) => {
      try {
        return readFileSync(logFile, 'utf8').slice(-chars);
      } catch {
        return '';
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (gone()) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Resolves once `probe` returns true; fails with `what` and the process's log if it exits or times out. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  managed: Managed | undefined,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (managed && (managed.child.exitCode !== null || managed.child.signalCode !== null))
      throw new Error(`${managed.name} exited before ${what}:\n${managed.tail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: not after ${timeoutMs / 1000} s${managed ? `:\n${managed.tail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
