// The Salesforce benchmark's worker, a child process of scripts/bench-salesforce.ts so that its
// peak memory (VmHWM) is the worker's alone: production activities, the prebuilt workflow bundle (as
// production workers run with WORKFLOW_BUNDLE_PATH) and the payload codec, configured from the environment. Sends `ready`, stops on `stop`.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { auditWorkerOptions } from '../../src/auditWorker';
import { loadConfig } from '../../src/config';
import { dataConverterFromEnv } from '../../src/codec/dataConverter';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0' });
  const connection = await NativeConnection.connect({ address: process.env.BENCH_TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowBundle: { codePath: process.env.BENCH_WORKFLOW_BUNDLE! },
    dataConverter: dataConverterFromEnv(),
    activities: createActivities(activityDepsFromConfig(config)),
    ...auditWorkerOptions(true),
  });
  process.on('disconnect', () => process.exit(1));
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop') worker.shutdown();
  });
  process.send!({ type: 'ready' });
  await worker.run();
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
