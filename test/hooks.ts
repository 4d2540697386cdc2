// Mocha root setup shared by every test tier: the in-process Temporal runtime logs errors only
// (TEST_LOG_LEVEL=INFO shows workers' and activities' logs when a test needs debugging).
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

process.env.LOG_LEVEL ??= 'silent';
Runtime.install({
  logger: new DefaultLogger((process.env.TEST_LOG_LEVEL ?? 'ERROR') as LogLevel),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});
