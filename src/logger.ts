// Logs (pino) for the worker and the CLI, and an adapter so the Temporal runtime, workflow and
// activity loggers write through the same sink. JSON lines for log collectors; readable lines when a
// person watches a terminal (`npm start`), unless LOG_FORMAT=json asks for JSON there too.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

function wantsPrettyLines(): boolean {
  return process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json';
}

export function createLogger(level: string, name = 'integrations'): Logger {
  const options = { name, level, base: { service: name } };
  if (!wantsPrettyLines()) return pino(options);
  return pino(options, pretty({ colorize: true, sync: true, ignore: 'pid,hostname,service' }));
}

// Activity log lines carry the task token by default: an opaque credential that completes the
// activity, of no use to a reader and not for a log file.
const DROPPED_META = ['taskToken'];

function withoutDropped(meta: LogMetadata | undefined): LogMetadata {
  if (!meta) return {};
  if (!DROPPED_META.some((key) => key in meta)) return meta;
  return Object.fromEntries(Object.entries(meta).filter(([key]) => !DROPPED_META.includes(key)));
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[PINO_LEVEL[level]](withoutDropped(meta), message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
