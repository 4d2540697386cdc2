// Typed settings from the environment, validated once at start. Secrets may come from NAME_FILE
// (docker/k8s secrets); they stay inside the worker process and never enter workflow inputs,
// results or logs. Temporal connection settings are read by @temporalio/envconfig (see client.ts).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  CONNECTOR_VARIABLES,
  SECRET_VARIABLES,
  connectorSettings,
  emailTransportProblems,
  optionalText,
  partlyConfigured,
  port,
  url,
  type ConnectorKey,
  type ConnectorSettings,
} from './connectors';
import { vendorBudgets, type VendorBudgets } from './budgets';
import { credentialRotations } from './credentialAge';
import { DEFAULT_TEMPORAL_UI_URL } from './domain/alert';
import type { CredentialRotation } from './domain/readiness';
import type { Duration } from '@temporalio/common';
import { durationMs, isPositiveDuration } from './domain/duration';

const envSchema = z.object({
  TASK_QUEUE: z.string().min(1).default('integrations'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  METRICS_PORT: port.default(9464),
  WORKFLOW_BUNDLE_PATH: optionalText,
  TLS_CA_FILE: optionalText,
  SCHEDULE_TIME_ZONE: z.string().min(1).default('UTC'),
  /** The Temporal Web UI people open from an alert's run link. */
  TEMPORAL_UI_URL: url.default(DEFAULT_TEMPORAL_UI_URL),
  READINESS_CERT_WARN_DAYS: z.coerce.number().int().positive().default(30),
  /** How long a dead-letter item stays after its latest failure (an ms-style duration). */
  DLQ_RETENTION: z.string().default('7 days').refine(isPositiveDuration, {
    message: 'a duration such as "7 days" or "36h"',
  }),
  /** How often the worker reads each task queue's backlog for its metrics (an ms-style duration). */
  TASK_QUEUE_STATS_EVERY: z.string().default('15s').refine(isPositiveDuration, {
    message: 'a duration such as "15s"',
  }),
  /** Audit trail (JSON lines): a file path, `stdout`, or `off`. */
  AUDIT_LOG: z.string().min(1).default('data/audit.jsonl'),
  /** Where the daily digest goes (Slack); Teams gets it in TEAMS_CHANNEL_ID. */
  DIGEST_SLACK_CHANNEL: z.string().min(1).default('#integration-ops'),
  /** Where invalid Workday rows are written (line, field, reason), one folder per run. */
  WORKDAY_QUARANTINE_DIR: z.string().min(1).default('data/quarantine'),
  ...CONNECTOR_VARIABLES,
});

type Env = z.infer<typeof envSchema>;

export type {
  EmailSettings,
  ErpnextSettings,
  ServicenowSettings,
  SesSettings,
  SlackSettings,
  TableauSettings,
  TeamsSettings,
  WorkdaySftpSettings,
  WorkdaySoapSettings,
  ZoomSettings,
} from './connectors';

export interface Config extends ConnectorSettings {
  taskQueue: string;
  logLevel: Env['LOG_LEVEL'];
  metricsPort: number;
  workflowBundlePath?: string;
  extraCaPem?: string;
  scheduleTimeZone: string;
  temporalUiUrl: string;
  readinessCertWarnDays: number;
  digestSlackChannel: string;
  workdayQuarantineDir: string;
  /** DLQ_RETENTION: e.g. `7 days`. */
  dlqRetention: string;
  /** Audit trail sink: a file path, `stdout` or `off`. */
  auditLog: string;
  /** TASK_QUEUE_STATS_EVERY in ms: how often the backlog gauges are refreshed. */
  taskQueueStatsEveryMs: number;
  /** The secret values of the configured connectors (canary scans, log redaction). */
  secrets: readonly string[];
  /** Each budgeted vendor's rate (global) and concurrency (per worker) limits. */
  budgets: VendorBudgets;
  /** Per connector, its secrets' last rotation (readiness reports their age). */
  credentials: Partial<Record<ConnectorKey, CredentialRotation[]>>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/** Resolves NAME_FILE into NAME for secrets; reports unreadable files and double definitions. */
function withSecretFiles(source: Source, problems: string[]): Source {
  const resolved = { ...source };
  for (const name of SECRET_VARIABLES) {
    const file = source[`${name}_FILE`];
    if (!file) continue;
    if (source[name]) {
      problems.push(`${name} and ${name}_FILE are both set; set only one`);
      continue;
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `${name}_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  // Empty strings mean "unset", as in most shells' `VAR=` usage.
  for (const key of Object.keys(resolved)) if (resolved[key] === '') delete resolved[key];
  return resolved;
}

export function loadConfig(source: Source = process.env): Config {
  const problems: string[] = [];
  const resolved = withSecretFiles(source, problems);
  const credentials = credentialRotations(source, problems);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  problems.push(...partlyConfigured(resolved), ...emailTransportProblems(resolved));
  if (!parsed.success) throw new ConfigError(problems);
  const env = parsed.data;
  let extraCaPem: string | undefined;
  if (env.TLS_CA_FILE) {
    try {
      extraCaPem = readFileSync(env.TLS_CA_FILE, 'utf8');
    } catch {
      problems.push(`TLS_CA_FILE=${env.TLS_CA_FILE} cannot be read`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...toConfig(env, extraCaPem), credentials };
}

function toConfig(env: Env, extraCaPem: string | undefined): Omit<Config, 'credentials'> {
  const { settings, secrets } = connectorSettings(env);
  return {
    ...settings,
    taskQueue: env.TASK_QUEUE,
    logLevel: env.LOG_LEVEL,
    metricsPort: env.METRICS_PORT,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    extraCaPem,
    scheduleTimeZone: env.SCHEDULE_TIME_ZONE,
    temporalUiUrl: env.TEMPORAL_UI_URL,
    readinessCertWarnDays: env.READINESS_CERT_WARN_DAYS,
    digestSlackChannel: env.DIGEST_SLACK_CHANNEL,
    workdayQuarantineDir: env.WORKDAY_QUARANTINE_DIR,
    dlqRetention: env.DLQ_RETENTION,
    auditLog: env.AUDIT_LOG,
    taskQueueStatsEveryMs: durationMs(env.TASK_QUEUE_STATS_EVERY as Duration),
    secrets,
    budgets: vendorBudgets(env),
  };
}

/** Every secret value in the config: the log redaction list and the canary scans use it. */
export function secretValues(config: Config): string[] {
  return [...config.secrets];
}
