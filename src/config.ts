// Typed settings from the environment, validated once at start. Secrets may come from NAME_FILE
// (docker/k8s secrets); they stay inside the worker process and never enter workflow inputs,
// results or logs. Temporal connection settings are read by @temporalio/envconfig (see client.ts).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Duration } from '@temporalio/common';
import type { ActionLinkSettings } from './actionLinks';
import { durationMs, isPositiveDuration } from './domain/duration';
import type { TeamsClientOptions } from './vendors/teams';

const SECRET_NAMES = [
  'SLACK_BOT_TOKEN',
  'GRAPH_CLIENT_SECRET',
  'GRAPH_REFRESH_TOKEN',
  'ERPNEXT_API_SECRET',
  'ERPNEXT_EU_API_SECRET',
  'WORKDAY_SFTP_PASSWORD',
  'WORKDAY_SOAP_PASSWORD',
  'SMTP_PASSWORD',
  'SERVICENOW_PASSWORD',
  'SERVICENOW_CLIENT_SECRET',
  'TABLEAU_PAT_SECRET',
  'ACTION_LINK_SECRET',
  'SLACK_CLIENT_SECRET',
  'SLACK_REFRESH_TOKEN',
] as const;

const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const optionalText = z.string().min(1).optional();

const envSchema = z.object({
  TASK_QUEUE: z.string().min(1).default('integrations'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  METRICS_PORT: port.default(9464),
  WORKFLOW_BUNDLE_PATH: optionalText,
  TLS_CA_FILE: optionalText,
  SCHEDULE_TIME_ZONE: z.string().min(1).default('UTC'),
  READINESS_CERT_WARN_DAYS: z.coerce.number().int().positive().default(30),
  /** How long a dead-letter item stays after its latest failure (an ms-style duration). */
  DLQ_RETENTION: z.string().default('7 days').refine(isPositiveDuration, {
    message: 'a duration such as "7 days" or "36h"',
  }),
  /** Audit trail (JSON lines): a file path, `stdout`, or `off`. */
  AUDIT_LOG: z.string().min(1).default('data/audit.jsonl'),

  /** The ingress's public URL: Teams cards and alert e-mails carry action links to it. */
  ACTION_LINK_BASE_URL: url.optional(),
  /** Signs action links (shared with the ingress). */
  ACTION_LINK_SECRET: optionalText,
  ACTION_LINK_TTL: z.string().default('24h').refine(isPositiveDuration, {
    message: 'a duration such as "24h"',
  }),

  SLACK_API_URL: url.default('https://slack.com/api/'),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_CHANNEL: z.string().min(1).default('#integration-ops'),
  /** Token rotation: the app's client id and secret and the install's first refresh token. */
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_REFRESH_TOKEN: optionalText,
  /** Where the rotating token is kept (mode 0600; a volume the workers share). */
  SLACK_TOKEN_STORE: z.string().min(1).default('data/slack-token.json'),
  /** Where the daily digest goes (Slack); Teams gets it in TEAMS_CHANNEL_ID. */
  DIGEST_SLACK_CHANNEL: z.string().min(1).default('#integration-ops'),

  GRAPH_BASE_URL: url.default('https://graph.microsoft.com/'),
  GRAPH_LOGIN_URL: url.default('https://login.microsoftonline.com/'),
  GRAPH_TENANT_ID: optionalText,
  GRAPH_CLIENT_ID: optionalText,
  GRAPH_CLIENT_SECRET: optionalText,
  GRAPH_REFRESH_TOKEN: optionalText,
  TEAMS_TEAM_ID: optionalText,
  TEAMS_CHANNEL_ID: optionalText,

  ERPNEXT_URL: url.optional(),
  ERPNEXT_API_KEY: optionalText,
  ERPNEXT_API_SECRET: optionalText,
  /** The EU region's ERPNext: EU/EEA employees are written only there (data residency). */
  ERPNEXT_EU_URL: url.optional(),
  ERPNEXT_EU_API_KEY: optionalText,
  ERPNEXT_EU_API_SECRET: optionalText,

  WORKDAY_SFTP_HOST: optionalText,
  WORKDAY_SFTP_PORT: port.default(22),
  WORKDAY_SFTP_USERNAME: optionalText,
  WORKDAY_SFTP_PASSWORD: optionalText,
  /** The server's host key, `SHA256:<base64>` as `ssh-keygen -lf` prints it: pinned, never skipped. */
  WORKDAY_SFTP_HOST_KEY_SHA256: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/)
    .optional(),
  WORKDAY_EXPORT_DIR: z.string().min(1).default('/exports'),
  /** Where invalid rows are written (line, field, reason), one folder per run. */
  WORKDAY_QUARANTINE_DIR: z.string().min(1).default('data/quarantine'),
  /** Workday web services host, e.g. https://wd2-impl-services1.workday.com (or a full service URL). */
  WORKDAY_SOAP_URL: url.optional(),
  WORKDAY_SOAP_TENANT: optionalText,
  /** The Integration System User without `@tenant`. */
  WORKDAY_SOAP_USERNAME: optionalText,
  WORKDAY_SOAP_PASSWORD: optionalText,

  SMTP_HOST: optionalText,
  SMTP_PORT: port.default(587),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  EMAIL_FROM: z.string().email().optional(),
  ALERT_EMAIL_TO: z.string().email().optional(),
  VENDOR_CONTACT_EMAIL: z.string().email().optional(),

  SERVICENOW_URL: url.optional(),
  SERVICENOW_USERNAME: optionalText,
  SERVICENOW_PASSWORD: optionalText,
  SERVICENOW_CLIENT_ID: optionalText,
  SERVICENOW_CLIENT_SECRET: optionalText,
  SERVICENOW_MAX_REQUESTS_PER_HOUR: z.coerce.number().int().positive().optional(),

  TABLEAU_SERVER_URL: url.optional(),
  TABLEAU_API_VERSION: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('3.24'),
  /** The site's contentUrl; '-' names the Default site of Tableau Server (contentUrl ""). */
  TABLEAU_SITE: optionalText,
  TABLEAU_PAT_NAME: optionalText,
  TABLEAU_PAT_SECRET: optionalText,
});

type Env = z.infer<typeof envSchema>;

/** A connector is configured when any of its variables is set; then all of them must be. */
const CONNECTOR_GROUPS = {
  slackRotation: ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_REFRESH_TOKEN'],
  teams: [
    'GRAPH_TENANT_ID',
    'GRAPH_CLIENT_ID',
    'GRAPH_CLIENT_SECRET',
    'GRAPH_REFRESH_TOKEN',
    'TEAMS_TEAM_ID',
    'TEAMS_CHANNEL_ID',
  ],
  erpnext: ['ERPNEXT_URL', 'ERPNEXT_API_KEY', 'ERPNEXT_API_SECRET'],
  erpnextEu: ['ERPNEXT_EU_URL', 'ERPNEXT_EU_API_KEY', 'ERPNEXT_EU_API_SECRET'],
  workdaySftp: [
    'WORKDAY_SFTP_HOST',
    'WORKDAY_SFTP_USERNAME',
    'WORKDAY_SFTP_PASSWORD',
    'WORKDAY_SFTP_HOST_KEY_SHA256',
  ],
  workdaySoap: ['WORKDAY_SOAP_URL', 'WORKDAY_SOAP_TENANT', 'WORKDAY_SOAP_USERNAME', 'WORKDAY_SOAP_PASSWORD'],
  email: ['SMTP_HOST', 'SMTP_USER', 'SMTP_PASSWORD', 'EMAIL_FROM', 'ALERT_EMAIL_TO'],
  servicenow: ['SERVICENOW_URL', 'SERVICENOW_USERNAME', 'SERVICENOW_PASSWORD'],
  servicenowOauth: ['SERVICENOW_CLIENT_ID', 'SERVICENOW_CLIENT_SECRET'],
  tableau: ['TABLEAU_SERVER_URL', 'TABLEAU_SITE', 'TABLEAU_PAT_NAME', 'TABLEAU_PAT_SECRET'],
  actionLinks: ['ACTION_LINK_BASE_URL', 'ACTION_LINK_SECRET'],
} as const satisfies Record<string, readonly (keyof Env)[]>;

export interface SlackSettings {
  apiUrl: string;
  /** A fixed bot token; with `rotation` the token comes from the token store instead. */
  botToken?: string;
  channel: string;
  rotation?: { clientId: string; clientSecret: string; refreshToken: string; storePath: string };
}
export interface TeamsSettings extends Omit<TeamsClientOptions, 'extraCaPem'> {
  teamId: string;
  channelId: string;
}
export interface EmailSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  from: string;
  /** Where alerts go when chat channels fail. */
  alertsTo: string;
  /** The vendor's contact for certificate renewals. */
  vendorContact?: string;
}
export interface ErpnextSettings {
  url: string;
  apiKey: string;
  apiSecret: string;
}

export interface WorkdaySftpSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
  exportDir: string;
}

export interface WorkdaySoapSettings {
  url: string;
  tenant: string;
  username: string;
  password: string;
}

export interface TableauSettings {
  serverUrl: string;
  apiVersion: string;
  siteContentUrl: string;
  patName: string;
  patSecret: string;
}

export interface ServicenowSettings {
  url: string;
  username: string;
  password: string;
  /** OAuth password grant when set; Basic auth otherwise. */
  oauth?: { clientId: string; clientSecret: string };
  /** The hourly request budget the client spreads its calls over. */
  maxRequestsPerHour?: number;
}

export interface Config {
  taskQueue: string;
  logLevel: Env['LOG_LEVEL'];
  metricsPort: number;
  workflowBundlePath?: string;
  extraCaPem?: string;
  scheduleTimeZone: string;
  readinessCertWarnDays: number;
  digestSlackChannel: string;
  slack?: SlackSettings;
  teams?: TeamsSettings;
  erpnext?: ErpnextSettings;
  erpnextEu?: ErpnextSettings;
  workdaySftp?: WorkdaySftpSettings;
  workdayQuarantineDir: string;
  workdaySoap?: WorkdaySoapSettings;
  /** DLQ_RETENTION: e.g. `7 days`. */
  dlqRetention: string;
  /** Audit trail sink: a file path, `stdout` or `off`. */
  auditLog: string;
  /** Links to the ingress on Teams cards and alert e-mails; absent = no links. */
  actionLinks?: ActionLinkSettings;
  email?: EmailSettings;
  servicenow?: ServicenowSettings;
  tableau?: TableauSettings;
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
  for (const name of SECRET_NAMES) {
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

function missingInGroups(source: Source): string[] {
  const problems: string[] = [];
  for (const [connector, names] of Object.entries(CONNECTOR_GROUPS)) {
    const set = names.filter((n) => source[n] !== undefined);
    if (set.length === 0 || set.length === names.length) continue;
    const missing = names.filter((n) => source[n] === undefined);
    problems.push(`${missing.join(', ')} missing: ${connector} is partly configured (${set.join(', ')} set)`);
  }
  return problems;
}

export function loadConfig(source: Source = process.env): Config {
  const problems: string[] = [];
  const resolved = withSecretFiles(source, problems);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  problems.push(...missingInGroups(resolved));
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
  return toConfig(env, extraCaPem);
}

function toConfig(env: Env, extraCaPem: string | undefined): Config {
  return {
    taskQueue: env.TASK_QUEUE,
    logLevel: env.LOG_LEVEL,
    metricsPort: env.METRICS_PORT,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    extraCaPem,
    scheduleTimeZone: env.SCHEDULE_TIME_ZONE,
    readinessCertWarnDays: env.READINESS_CERT_WARN_DAYS,
    digestSlackChannel: env.DIGEST_SLACK_CHANNEL,
    slack:
      env.SLACK_BOT_TOKEN || env.SLACK_CLIENT_ID
        ? {
            apiUrl: env.SLACK_API_URL,
            botToken: env.SLACK_BOT_TOKEN,
            channel: env.SLACK_CHANNEL,
            rotation:
              env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_REFRESH_TOKEN
                ? {
                    clientId: env.SLACK_CLIENT_ID,
                    clientSecret: env.SLACK_CLIENT_SECRET,
                    refreshToken: env.SLACK_REFRESH_TOKEN,
                    storePath: env.SLACK_TOKEN_STORE,
                  }
                : undefined,
          }
        : undefined,
    teams:
      env.GRAPH_TENANT_ID && env.GRAPH_CLIENT_ID && env.GRAPH_CLIENT_SECRET && env.GRAPH_REFRESH_TOKEN
        ? {
            graphBaseUrl: env.GRAPH_BASE_URL,
            loginUrl: env.GRAPH_LOGIN_URL,
            tenantId: env.GRAPH_TENANT_ID,
            clientId: env.GRAPH_CLIENT_ID,
            clientSecret: env.GRAPH_CLIENT_SECRET,
            refreshToken: env.GRAPH_REFRESH_TOKEN,
            teamId: env.TEAMS_TEAM_ID ?? '',
            channelId: env.TEAMS_CHANNEL_ID ?? '',
          }
        : undefined,
    email:
      env.SMTP_HOST && env.SMTP_USER && env.SMTP_PASSWORD && env.EMAIL_FROM && env.ALERT_EMAIL_TO
        ? {
            host: env.SMTP_HOST,
            port: env.SMTP_PORT,
            user: env.SMTP_USER,
            password: env.SMTP_PASSWORD,
            from: env.EMAIL_FROM,
            alertsTo: env.ALERT_EMAIL_TO,
            vendorContact: env.VENDOR_CONTACT_EMAIL,
          }
        : undefined,
    erpnext:
      env.ERPNEXT_URL && env.ERPNEXT_API_KEY && env.ERPNEXT_API_SECRET
        ? { url: env.ERPNEXT_URL, apiKey: env.ERPNEXT_API_KEY, apiSecret: env.ERPNEXT_API_SECRET }
        : undefined,
    erpnextEu:
      env.ERPNEXT_EU_URL && env.ERPNEXT_EU_API_KEY && env.ERPNEXT_EU_API_SECRET
        ? { url: env.ERPNEXT_EU_URL, apiKey: env.ERPNEXT_EU_API_KEY, apiSecret: env.ERPNEXT_EU_API_SECRET }
        : undefined,
    workdaySftp:
      env.WORKDAY_SFTP_HOST &&
      env.WORKDAY_SFTP_USERNAME &&
      env.WORKDAY_SFTP_PASSWORD &&
      env.WORKDAY_SFTP_HOST_KEY_SHA256
        ? {
            host: env.WORKDAY_SFTP_HOST,
            port: env.WORKDAY_SFTP_PORT,
            username: env.WORKDAY_SFTP_USERNAME,
            password: env.WORKDAY_SFTP_PASSWORD,
            hostKeyFingerprint: env.WORKDAY_SFTP_HOST_KEY_SHA256,
            exportDir: env.WORKDAY_EXPORT_DIR,
          }
        : undefined,
    workdayQuarantineDir: env.WORKDAY_QUARANTINE_DIR,
    workdaySoap:
      env.WORKDAY_SOAP_URL &&
      env.WORKDAY_SOAP_TENANT &&
      env.WORKDAY_SOAP_USERNAME &&
      env.WORKDAY_SOAP_PASSWORD
        ? {
            url: env.WORKDAY_SOAP_URL,
            tenant: env.WORKDAY_SOAP_TENANT,
            username: env.WORKDAY_SOAP_USERNAME,
            password: env.WORKDAY_SOAP_PASSWORD,
          }
        : undefined,
    dlqRetention: env.DLQ_RETENTION,
    auditLog: env.AUDIT_LOG,
    actionLinks:
      env.ACTION_LINK_BASE_URL && env.ACTION_LINK_SECRET
        ? {
            baseUrl: env.ACTION_LINK_BASE_URL,
            secret: env.ACTION_LINK_SECRET,
            ttlMs: durationMs(env.ACTION_LINK_TTL as Duration),
          }
        : undefined,
    servicenow:
      env.SERVICENOW_URL && env.SERVICENOW_USERNAME && env.SERVICENOW_PASSWORD
        ? {
            url: env.SERVICENOW_URL,
            username: env.SERVICENOW_USERNAME,
            password: env.SERVICENOW_PASSWORD,
            oauth:
              env.SERVICENOW_CLIENT_ID && env.SERVICENOW_CLIENT_SECRET
                ? { clientId: env.SERVICENOW_CLIENT_ID, clientSecret: env.SERVICENOW_CLIENT_SECRET }
                : undefined,
            maxRequestsPerHour: env.SERVICENOW_MAX_REQUESTS_PER_HOUR,
          }
        : undefined,
    tableau:
      env.TABLEAU_SERVER_URL && env.TABLEAU_SITE && env.TABLEAU_PAT_NAME && env.TABLEAU_PAT_SECRET
        ? {
            serverUrl: env.TABLEAU_SERVER_URL,
            apiVersion: env.TABLEAU_API_VERSION,
            siteContentUrl: env.TABLEAU_SITE === '-' ? '' : env.TABLEAU_SITE,
            patName: env.TABLEAU_PAT_NAME,
            patSecret: env.TABLEAU_PAT_SECRET,
          }
        : undefined,
  };
}

/** Every secret value in the config: the log redaction list and the canary scans use it. */
export function secretValues(config: Config): string[] {
  return [
    config.slack?.botToken,
    config.slack?.rotation?.clientSecret,
    config.slack?.rotation?.refreshToken,
    config.teams?.clientSecret,
    config.teams?.refreshToken,
    config.erpnext?.apiSecret,
    config.erpnextEu?.apiSecret,
    config.workdaySftp?.password,
    config.workdaySoap?.password,
    config.email?.password,
    config.servicenow?.password,
    config.servicenow?.oauth?.clientSecret,
    config.tableau?.patSecret,
    config.actionLinks?.secret,
  ].filter((v): v is string => Boolean(v));
}
