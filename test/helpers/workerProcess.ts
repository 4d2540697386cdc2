// The worker as operators run it, for e2e tests: `src/worker.ts` in a child process configured
// only by environment variables (its own Temporal runtime, so its own Prometheus endpoint).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestSimulators } from './simulators';
import { devServer } from './temporal';

const WORKER = join(__dirname, '..', '..', 'src', 'worker.ts');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/**
 * For one describe block: the dev server and every simulator (before), and worker processes started
 * with `startWorker` against them, stopped with everything else (after).
 */
export function workerProcessStack() {
  const stack = {
    env: undefined as unknown as TestWorkflowEnvironment,
    simulators: undefined as unknown as Awaited<ReturnType<typeof startTestSimulators>>,
    workers: [] as WorkerProcess[],
    /** A worker process on `taskQueue`, configured for the simulators, plus `env`. */
    startWorker(taskQueue: string, env: Record<string, string> = {}): WorkerProcess {
      const worker = startWorkerProcess({
        ...stack.simulators.env,
        TEMPORAL_ADDRESS: stack.env.address,
        TASK_QUEUE: taskQueue,
        ...env,
      });
      stack.workers.push(worker);
      return worker;
    },
  };
  before(async () => {
    stack.env = await devServer();
    stack.simulators = await startTestSimulators();
  });
  after(async () => {
    await Promise.all(stack.workers.map((w) => w.stop()));
    await stack.simulators?.stop();
    await stack.env?.teardown();
  });
  return stack;
}
