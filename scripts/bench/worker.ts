// The Workday benchmark's worker, run as a child process of scripts/bench-workday.ts so that its
// memory is the worker's alone. Production activities (createActivities) with counting vendor
// clients, plus the naive per-record activity; workflows from a prebuilt bundle (as production
// workers run with WORKFLOW_BUNDLE_PATH). Talks to the parent over IPC: `ready`, `stats`, `stop`.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { dataConverterFromEnv } from '../../src/codec/dataConverter';
import { loadConfig } from '../../src/config';
import { createWorkerGroup } from '../../src/workerGroup';
import { CountingErpnextClient, CountingSftpSource, requestCounts } from './counting';
import { createNaiveActivities } from './naiveActivity';

async function main(): Promise<void> {
  const address = process.env.BENCH_TEMPORAL_ADDRESS!;
  const taskQueue = process.env.BENCH_TASK_QUEUE!;
  const bundle = process.env.BENCH_WORKFLOW_BUNDLE!;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0' });
  const ca = config.extraCaPem;
  const sftp = new CountingSftpSource(config.workdaySftp!);
  const erpnext = {
    us: new CountingErpnextClient({ ...config.erpnext!, extraCaPem: ca }),
    eu: new CountingErpnextClient({ ...config.erpnextEu!, extraCaPem: ca }),
  };
  const deps = activityDepsFromConfig(config);
  deps.workday = { ...deps.workday, sftp, erpnext };
  const exportDir = config.workdaySftp!.exportDir;
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorkerGroup({
    connection,
    taskQueue,
    // The payload codec when the benchmark runs this worker with CODEC_KEYS (the codec rows).
    dataConverter: dataConverterFromEnv(),
    workflowBundle: { codePath: bundle },
    activities: { ...createActivities(deps), ...createNaiveActivities({ sftp, exportDir, erpnext }) },
  });
  // Peak of each part of the process's memory (for BENCH_DEBUG): which part makes the RSS peak.
  const peaks: Record<string, number> = {};
  const sample = setInterval(() => {
    for (const [k, v] of Object.entries(process.memoryUsage())) peaks[k] = Math.max(peaks[k] ?? 0, v);
  }, 100);
  sample.unref();
  process.on('disconnect', () => process.exit(1)); // the bench is gone
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stats')
      process.send!({
        type: 'stats',
        requests: { ...requestCounts },
        memory: process.memoryUsage(),
        peaks,
        cpu: process.cpuUsage(),
      });
    if (msg.type === 'stop') worker.shutdown();
  });
  process.send!({ type: 'ready' });
  await worker.run();
  await sftp.close();
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
