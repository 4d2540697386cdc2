// The e2e stack every dev-server test needs: a real dev server, every simulator, and a worker on
// its own task queue with the real activities pointed at the simulators. Registers its own hooks.
import { readFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { activityDepsFromConfig, createActivities, type ActivityDeps } from '../../src/activities';
import type { Config } from '../../src/config';
import { startTestSimulators, testConfig } from './simulators';
import { createTestWorker, devServer } from './temporal';

export interface E2eStack {
  env: TestWorkflowEnvironment;
  simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  caPem: string;
  config: Config;
  deps: ActivityDeps;
  worker: WorkerGroup;
}

export interface E2eStackOptions {
  /** Extra worker environment, read when the stack starts (e.g. a real sshd's WORKDAY_SFTP_*). */
  env?: () => Record<string, string>;
  /** The payload codec of the client and the worker (test/helpers/codec.ts). */
  dataConverter?: DataConverter;
}

export function useE2eStack(taskQueue: string, options: E2eStackOptions = {}): () => E2eStack {
  let stack: E2eStack | undefined;
  let running: Promise<void> | undefined;
  before(async () => {
    const { dataConverter } = options;
    const env = await devServer({ dataConverter });
    const simulators = await startTestSimulators();
    const config = testConfig(simulators.env, { ...options.env?.(), TASK_QUEUE: taskQueue });
    const deps = activityDepsFromConfig(config);
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: createActivities(deps),
      dataConverter,
    });
    running = worker.run();
    stack = { env, simulators, caPem: readFileSync(simulators.sims.caFile, 'utf8'), config, deps, worker };
  });
  after(async () => {
    if (stack?.worker.getState() === 'RUNNING') stack.worker.shutdown();
    await running;
    await stack?.simulators.stop();
    await stack?.env.teardown();
  });
  return () => {
    if (!stack) throw new Error('the e2e stack is not started (use it inside a test)');
    return stack;
  };
}
