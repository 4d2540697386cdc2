// Composition root: configuration, telemetry (Prometheus endpoint, JSON logs), the Temporal
// connection, the integrations task queue with one queue per budgeted vendor, and graceful shutdown (the runtime drains the worker
// on SIGINT/SIGTERM: running activities finish or are cancelled, then the process exits).
import { Runtime } from '@temporalio/worker';
import { activityDepsFromConfig, createActivities } from './activities';
import { createAuditWriter, useAuditWriter } from './audit';
import { auditWorkerOptions } from './auditWorker';
import { createWorkerConnection } from './client';
import { codecSummary, dataConverterFromEnv } from './codec/dataConverter';
import { loadConfig, type Config } from './config';
import { createLogger, temporalLogger } from './logger';
import { createWorkerGroup } from './workerGroup';
import { watchBacklogs } from './backlogMetrics';
import { BUDGETED_VENDORS, vendorTaskQueue } from './domain/vendorQueues';
import { runMain } from './serve';

export async function createWorker(config: Config) {
  const { connection, namespace } = await createWorkerConnection();
  const deps = activityDepsFromConfig(config);
  useAuditWriter(createAuditWriter(config.auditLog));
  const workflowSource = config.workflowBundlePath
    ? { workflowBundle: { codePath: config.workflowBundlePath } }
    : { workflowsPath: require.resolve('./workflows') };
  const dataConverter = dataConverterFromEnv();
  const worker = await createWorkerGroup(
    {
      connection,
      namespace,
      dataConverter,
      taskQueue: config.taskQueue,
      ...workflowSource,
      activities: createActivities(deps),
      ...auditWorkerOptions(Boolean(config.workflowBundlePath)),
    },
    config.budgets,
  );
  return { worker, connection, namespace, deps, codec: codecSummary(dataConverter) };
}

export function installRuntime(config: Config): void {
  const logger = createLogger(config.logLevel, 'worker');
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      metrics: config.metricsPort
        ? {
            prometheus: {
              bindAddress: `0.0.0.0:${config.metricsPort}`,
              countersTotalSuffix: false,
              histogramBucketOverrides: {
                integration_vendor_call_duration_seconds: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
              },
            },
          }
        : undefined,
    },
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  installRuntime(config);
  const { worker, connection, namespace, deps, codec } = await createWorker(config);
  const log = Runtime.instance().logger;
  // The backlog gauges go out with the worker's metrics: without a metrics port nobody reads them.
  const backlogs =
    config.metricsPort &&
    watchBacklogs({
      connection,
      namespace,
      taskQueues: [config.taskQueue, ...BUDGETED_VENDORS.map((v) => vendorTaskQueue(config.taskQueue, v))],
      meter: Runtime.instance().metricMeter,
      everyMs: config.taskQueueStatsEveryMs,
      onError: (err) => log.warn('task queue statistics unavailable', { error: String(err) }),
    });
  // Without a key ring payloads are stored in the clear: say so where an operator looks.
  if (codec.startsWith('off')) log.warn(`payload codec ${codec}`);
  log.info('worker started', {
    taskQueue: config.taskQueue,
    budgets: config.budgets,
    metrics: config.metricsPort ? `http://localhost:${config.metricsPort}/metrics` : 'off',
    connectors: Object.keys(deps.connectors),
    payloadCodec: codec,
  });
  try {
    await worker.run();
  } finally {
    if (backlogs) backlogs.stop();
    await connection.close();
    // The SFTP session is the one connection that keeps the process alive after a drain.
    await deps.workday?.sftp?.close();
    log.info('worker stopped');
  }
}

if (require.main === module) runMain(main);
