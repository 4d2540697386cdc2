// The one table of connectors: the variables each reads (validated with zod), the ones that switch
// it on (any set → all required), which are secrets (also readable from NAME_FILE), and the settings
// the worker builds from them. config.ts loads through it, the activities' wiring builds one client
// set per entry (activities/index.ts), and the deployment checks list its variables.
import { z } from 'zod';
import type { Duration } from '@temporalio/common';
import type { ActionLinkSettings } from './actionLinks';
import type { BreakerPolicy } from './domain/breaker';
import { durationMs, isPositiveDuration } from './domain/duration';
import type { Severity } from './domain/alert';
import { isTimeZone } from './vendors/frappeTime';
import type { TeamsClientOptions } from './vendors/teams';

export const port = z.coerce.number().int().min(0).max(65535);
export const url = z.string().url();
export const optionalText = z.string().min(1).optional();
/** Comma-separated e-mail addresses. */
const emailList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().email()).min(1));
/** A vendor rate budget in calls per second (fractions allowed). */
const perSecond = z.coerce.number().positive();
/** A site's IANA time zone (Frappe writes `creation`/`modified` in it, without an offset). */
const timeZone = z.string().default('UTC').refine(isTimeZone, { message: 'an IANA time zone' });

interface ConnectorSpec<Shape extends z.ZodRawShape, Settings> {
  /** Every variable the connector reads, with its validation and default. */
  variables: Shape;
  /** Set any of these and the connector is on: then all of them are required. */
  switches: readonly (keyof Shape & string)[];
  /** Further all-or-nothing groups inside the connector (an optional feature's credentials). */
  groups?: readonly (readonly (keyof Shape & string)[])[];
  /** Secrets: never logged, also readable from `NAME_FILE`. */
  secrets: readonly (keyof Shape & string)[];
  /** When the connector is on, if not "every switch is set" (a connector with two ways in). */
  on?(env: z.infer<z.ZodObject<Shape>>): boolean;
  /** The connector's settings once all its switches are set. */
  settings(env: z.infer<z.ZodObject<Shape>>): Settings;
}

function connector<Shape extends z.ZodRawShape, Settings>(
  spec: ConnectorSpec<Shape, Settings>,
): ConnectorSpec<Shape, Settings> {
  return spec;
}

export interface SlackSettings {
  apiUrl: string;
  /** A fixed bot token; with `rotation` the token comes from the token store instead. */
  botToken?: string;
  channel: string;
  /** SLACK_PLATFORM_ENGINEERING_CHANNEL: where alerts for Platform Engineering go (else `channel`). */
  platformEngineeringChannel?: string;
  rotation?: { clientId: string; clientSecret: string; refreshToken: string; storePath: string };
}
export interface TeamsSettings extends Omit<TeamsClientOptions, 'extraCaPem'> {
  teamId: string;
  channelId: string;
}
export interface EmailSettings {
  /** EMAIL_TRANSPORT: SMTP (the settings below) or the SES v2 API (the `ses` connector). */
  transport: 'smtp' | 'ses';
  host: string;
  port: number;
  user: string;
  password: string;
  from: string;
  /** The daily digest's e-mail list. */
  digestTo: string[];
  /** Where alerts go when chat channels fail. */
  alertsTo: string;
  /** The vendor's contact for certificate renewals. */
  vendorContact?: string;
  /** Platform Engineering: the SES reputation guard mails them when it pauses mail. */
  platformEngineering?: string;
}
export interface SesSettings {
  region: string;
  /** Another endpoint than `https://email.<region>.amazonaws.com` (the simulator). */
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Every message names it: SES publishes bounces and complaints per configuration set. */
  configurationSet: string;
}
export interface ErpnextSettings {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** IANA zone of the site's `creation`/`modified` timestamps. */
  timeZone: string;
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
export interface SalesforceSettings {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
  /** Daily-allocation requests kept back: under it the workflows park instead of calling. */
  apiReserve: number;
  /** Deltas above this many Accounts (and the first load) read through a Bulk 2.0 query job. */
  bulkThreshold: number;
}
export interface ServicenowSettings {
  url: string;
  username: string;
  password: string;
  /** OAuth password grant when set; Basic auth otherwise. */
  oauth?: { clientId: string; clientSecret: string };
}
export interface ZoomSettings {
  apiUrl: string;
  oauthUrl: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  pageSize: number;
  learningSlackChannel: string;
}

export interface TwilioSettings {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  messagingServiceSid: string;
  /** On-call role → E.164 number; resolved in the worker, so no number enters a history. */
  oncall: Record<string, string>;
  /** Which alert severities page by SMS. */
  severities: Severity[];
  /** A page not delivered within this long goes out by email. */
  undeliveredAfterMs: number;
  warnAt?: number;
  cap?: number;
  /** INGRESS_PUBLIC_URL + /twilio/status: where Twilio posts delivery statuses. */
  statusCallbackUrl?: string;
}

/** `role=+E164` pairs separated by commas: `platform-oncall=+15551230001,security=+15551230002`. */
const oncallNumbers = z
  .string()
  .refine(
    (s) =>
      s
        .split(',')
        .every((pair) => !pair.trim() || /^[a-z][a-z0-9-]{0,39}=\+[1-9]\d{6,14}$/.test(pair.trim())),
    { message: 'comma-separated role=+E164 pairs such as "platform-oncall=+15551230001"' },
  );

function parseOncall(text: string): Record<string, string> {
  const pairs = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
}

/** Durations such as "10 minutes" or "90s", as Temporal reads them. */
const positiveDuration = (fallback: string) =>
  z.string().default(fallback).refine(isPositiveDuration, { message: 'a duration such as "10 minutes"' });

// Settings are built only when every switch is set, so `!` on a switch below is safe.
export const CONNECTORS = {
  slack: connector({
    variables: {
      SLACK_API_URL: url.default('https://slack.com/api/'),
      SLACK_BOT_TOKEN: optionalText,
      SLACK_CHANNEL: z.string().min(1).default('#integration-ops'),
      /** Platform Engineering's channel: alerts meant for them (SES reputation pause); unset: SLACK_CHANNEL. */
      SLACK_PLATFORM_ENGINEERING_CHANNEL: optionalText,
      /** Token rotation: the app's client id and secret and the install's first refresh token. */
      SLACK_CLIENT_ID: optionalText,
      SLACK_CLIENT_SECRET: optionalText,
      SLACK_REFRESH_TOKEN: optionalText,
      /** Where the rotating token is kept (mode 0600; a volume the workers share). */
      SLACK_TOKEN_STORE: z.string().min(1).default('data/slack-token.json'),
      /** Slack calls per second across all workers (chat.postMessage: ~1 message/s per channel). */
      SLACK_MAX_REQUESTS_PER_SECOND: perSecond.default(1),
    },
    // A fixed bot token, or a rotating one (all three rotation settings).
    switches: [],
    groups: [['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_REFRESH_TOKEN']],
    on: (env) => Boolean(env.SLACK_BOT_TOKEN || env.SLACK_CLIENT_ID),
    secrets: ['SLACK_BOT_TOKEN', 'SLACK_CLIENT_SECRET', 'SLACK_REFRESH_TOKEN'],
    settings: (env): SlackSettings => ({
      apiUrl: env.SLACK_API_URL,
      botToken: env.SLACK_BOT_TOKEN,
      channel: env.SLACK_CHANNEL,
      platformEngineeringChannel: env.SLACK_PLATFORM_ENGINEERING_CHANNEL,
      rotation:
        env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_REFRESH_TOKEN
          ? {
              clientId: env.SLACK_CLIENT_ID,
              clientSecret: env.SLACK_CLIENT_SECRET,
              refreshToken: env.SLACK_REFRESH_TOKEN,
              storePath: env.SLACK_TOKEN_STORE,
            }
          : undefined,
    }),
  }),
  /** One-click links on Teams cards and alert e-mails, answered by the ingress. */
  actionLinks: connector({
    variables: {
      /** The ingress's public URL: Teams cards and alert e-mails carry action links to it. */
      ACTION_LINK_BASE_URL: url.optional(),
      /** Signs action links (shared with the ingress). */
      ACTION_LINK_SECRET: optionalText,
      ACTION_LINK_TTL: z.string().default('24h').refine(isPositiveDuration, {
        message: 'a duration such as "24h"',
      }),
    },
    switches: ['ACTION_LINK_BASE_URL', 'ACTION_LINK_SECRET'],
    secrets: ['ACTION_LINK_SECRET'],
    settings: (env): ActionLinkSettings => ({
      baseUrl: env.ACTION_LINK_BASE_URL!,
      secret: env.ACTION_LINK_SECRET!,
      ttlMs: durationMs(env.ACTION_LINK_TTL as Duration),
    }),
  }),
  teams: connector({
    variables: {
      GRAPH_BASE_URL: url.default('https://graph.microsoft.com/'),
      GRAPH_LOGIN_URL: url.default('https://login.microsoftonline.com/'),
      GRAPH_TENANT_ID: optionalText,
      GRAPH_CLIENT_ID: optionalText,
      GRAPH_CLIENT_SECRET: optionalText,
      GRAPH_REFRESH_TOKEN: optionalText,
      TEAMS_TEAM_ID: optionalText,
      TEAMS_CHANNEL_ID: optionalText,
      /** Teams calls per second across all workers (4 requests/s per channel). */
      TEAMS_MAX_REQUESTS_PER_SECOND: perSecond.default(4),
    },
    switches: [
      'GRAPH_TENANT_ID',
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'GRAPH_REFRESH_TOKEN',
      'TEAMS_TEAM_ID',
      'TEAMS_CHANNEL_ID',
    ],
    secrets: ['GRAPH_CLIENT_SECRET', 'GRAPH_REFRESH_TOKEN'],
    settings: (env): TeamsSettings => ({
      graphBaseUrl: env.GRAPH_BASE_URL,
      loginUrl: env.GRAPH_LOGIN_URL,
      tenantId: env.GRAPH_TENANT_ID!,
      clientId: env.GRAPH_CLIENT_ID!,
      clientSecret: env.GRAPH_CLIENT_SECRET!,
      refreshToken: env.GRAPH_REFRESH_TOKEN!,
      teamId: env.TEAMS_TEAM_ID!,
      channelId: env.TEAMS_CHANNEL_ID!,
    }),
  }),
  email: connector({
    variables: {
      SMTP_HOST: optionalText,
      SMTP_PORT: port.default(587),
      SMTP_USER: optionalText,
      SMTP_PASSWORD: optionalText,
      EMAIL_FROM: z.string().email().optional(),
      ALERT_EMAIL_TO: z.string().email().optional(),
      VENDOR_CONTACT_EMAIL: z.string().email().optional(),
      /** Platform Engineering's address: the SES reputation guard's pause alert is mailed there. */
      PLATFORM_ENGINEERING_EMAIL: z.string().email().optional(),
      /** `ses` sends through the SES v2 API (the `ses` connector's settings); `smtp` through SMTP_*. */
      EMAIL_TRANSPORT: z.enum(['smtp', 'ses']).default('smtp'),
      /** The daily digest's list, comma-separated. */
      DIGEST_EMAIL_TO: emailList.optional(),
    },
    switches: ['EMAIL_FROM', 'ALERT_EMAIL_TO'],
    // SMTP needs all three; over SES none (emailTransportProblems says which is missing).
    groups: [['SMTP_HOST', 'SMTP_USER', 'SMTP_PASSWORD']],
    secrets: ['SMTP_PASSWORD'],
    settings: (env): EmailSettings => ({
      transport: env.EMAIL_TRANSPORT,
      host: env.SMTP_HOST ?? '',
      port: env.SMTP_PORT,
      user: env.SMTP_USER ?? '',
      password: env.SMTP_PASSWORD ?? '',
      from: env.EMAIL_FROM!,
      digestTo: env.DIGEST_EMAIL_TO ?? [],
      alertsTo: env.ALERT_EMAIL_TO!,
      vendorContact: env.VENDOR_CONTACT_EMAIL,
      platformEngineering: env.PLATFORM_ENGINEERING_EMAIL,
    }),
  }),
  /** AWS SES v2 API (EMAIL_TRANSPORT=ses); bounces come back through the ingress (SES_SNS_*). */
  ses: connector({
    variables: {
      SES_REGION: optionalText,
      SES_ENDPOINT: url.optional(),
      SES_ACCESS_KEY_ID: optionalText,
      SES_SECRET_ACCESS_KEY: optionalText,
      SES_CONFIGURATION_SET: optionalText,
    },
    switches: ['SES_REGION', 'SES_ACCESS_KEY_ID', 'SES_SECRET_ACCESS_KEY', 'SES_CONFIGURATION_SET'],
    secrets: ['SES_SECRET_ACCESS_KEY'],
    settings: (env): SesSettings => ({
      region: env.SES_REGION!,
      endpoint: env.SES_ENDPOINT,
      accessKeyId: env.SES_ACCESS_KEY_ID!,
      secretAccessKey: env.SES_SECRET_ACCESS_KEY!,
      configurationSet: env.SES_CONFIGURATION_SET!,
    }),
  }),
  erpnext: connector({
    variables: {
      ERPNEXT_URL: url.optional(),
      ERPNEXT_API_KEY: optionalText,
      ERPNEXT_API_SECRET: optionalText,
      ERPNEXT_TIME_ZONE: timeZone,
    },
    switches: ['ERPNEXT_URL', 'ERPNEXT_API_KEY', 'ERPNEXT_API_SECRET'],
    secrets: ['ERPNEXT_API_SECRET'],
    settings: (env): ErpnextSettings => ({
      url: env.ERPNEXT_URL!,
      apiKey: env.ERPNEXT_API_KEY!,
      apiSecret: env.ERPNEXT_API_SECRET!,
      timeZone: env.ERPNEXT_TIME_ZONE,
    }),
  }),
  /** The EU region's ERPNext: EU/EEA employees are written only there (data residency). */
  erpnextEu: connector({
    variables: {
      ERPNEXT_EU_URL: url.optional(),
      ERPNEXT_EU_API_KEY: optionalText,
      ERPNEXT_EU_API_SECRET: optionalText,
      ERPNEXT_EU_TIME_ZONE: timeZone,
    },
    switches: ['ERPNEXT_EU_URL', 'ERPNEXT_EU_API_KEY', 'ERPNEXT_EU_API_SECRET'],
    secrets: ['ERPNEXT_EU_API_SECRET'],
    settings: (env): ErpnextSettings => ({
      url: env.ERPNEXT_EU_URL!,
      apiKey: env.ERPNEXT_EU_API_KEY!,
      apiSecret: env.ERPNEXT_EU_API_SECRET!,
      timeZone: env.ERPNEXT_EU_TIME_ZONE,
    }),
  }),
  workdaySftp: connector({
    variables: {
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
    },
    switches: [
      'WORKDAY_SFTP_HOST',
      'WORKDAY_SFTP_USERNAME',
      'WORKDAY_SFTP_PASSWORD',
      'WORKDAY_SFTP_HOST_KEY_SHA256',
    ],
    secrets: ['WORKDAY_SFTP_PASSWORD'],
    settings: (env): WorkdaySftpSettings => ({
      host: env.WORKDAY_SFTP_HOST!,
      port: env.WORKDAY_SFTP_PORT,
      username: env.WORKDAY_SFTP_USERNAME!,
      password: env.WORKDAY_SFTP_PASSWORD!,
      hostKeyFingerprint: env.WORKDAY_SFTP_HOST_KEY_SHA256!,
      exportDir: env.WORKDAY_EXPORT_DIR,
    }),
  }),
  workdaySoap: connector({
    variables: {
      /** Workday web services host, e.g. https://wd2-impl-services1.workday.com (or a full service URL). */
      WORKDAY_SOAP_URL: url.optional(),
      WORKDAY_SOAP_TENANT: optionalText,
      /** The Integration System User without `@tenant`. */
      WORKDAY_SOAP_USERNAME: optionalText,
      WORKDAY_SOAP_PASSWORD: optionalText,
    },
    switches: ['WORKDAY_SOAP_URL', 'WORKDAY_SOAP_TENANT', 'WORKDAY_SOAP_USERNAME', 'WORKDAY_SOAP_PASSWORD'],
    secrets: ['WORKDAY_SOAP_PASSWORD'],
    settings: (env): WorkdaySoapSettings => ({
      url: env.WORKDAY_SOAP_URL!,
      tenant: env.WORKDAY_SOAP_TENANT!,
      username: env.WORKDAY_SOAP_USERNAME!,
      password: env.WORKDAY_SOAP_PASSWORD!,
    }),
  }),
  servicenow: connector({
    variables: {
      SERVICENOW_URL: url.optional(),
      SERVICENOW_USERNAME: optionalText,
      SERVICENOW_PASSWORD: optionalText,
      SERVICENOW_CLIENT_ID: optionalText,
      SERVICENOW_CLIENT_SECRET: optionalText,
      SERVICENOW_MAX_REQUESTS_PER_HOUR: z.coerce.number().int().positive().optional(),
    },
    switches: ['SERVICENOW_URL', 'SERVICENOW_USERNAME', 'SERVICENOW_PASSWORD'],
    groups: [['SERVICENOW_CLIENT_ID', 'SERVICENOW_CLIENT_SECRET']],
    secrets: ['SERVICENOW_PASSWORD', 'SERVICENOW_CLIENT_SECRET'],
    settings: (env): ServicenowSettings => ({
      url: env.SERVICENOW_URL!,
      username: env.SERVICENOW_USERNAME!,
      password: env.SERVICENOW_PASSWORD!,
      oauth:
        env.SERVICENOW_CLIENT_ID && env.SERVICENOW_CLIENT_SECRET
          ? { clientId: env.SERVICENOW_CLIENT_ID, clientSecret: env.SERVICENOW_CLIENT_SECRET }
          : undefined,
    }),
  }),
  salesforce: connector({
    variables: {
      /** Token endpoint host: https://login.salesforce.com or the org's My Domain. */
      SALESFORCE_LOGIN_URL: url.optional(),
      /** The connected app's consumer key and secret (client credentials flow, with a Run-As user). */
      SALESFORCE_CLIENT_ID: optionalText,
      SALESFORCE_CLIENT_SECRET: optionalText,
      SALESFORCE_API_VERSION: z
        .string()
        .regex(/^v\d+\.0$/)
        .default('v60.0'),
      SALESFORCE_API_RESERVE: z.coerce.number().int().min(0).default(5_000),
      SALESFORCE_BULK_THRESHOLD: z.coerce.number().int().min(0).default(10_000),
    },
    switches: ['SALESFORCE_LOGIN_URL', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET'],
    secrets: ['SALESFORCE_CLIENT_SECRET'],
    settings: (env): SalesforceSettings => ({
      loginUrl: env.SALESFORCE_LOGIN_URL!,
      clientId: env.SALESFORCE_CLIENT_ID!,
      clientSecret: env.SALESFORCE_CLIENT_SECRET!,
      apiVersion: env.SALESFORCE_API_VERSION,
      apiReserve: env.SALESFORCE_API_RESERVE,
      bulkThreshold: env.SALESFORCE_BULK_THRESHOLD,
    }),
  }),
  /** The circuit breakers of every connector that writes (one per connector and region). */
  breaker: connector({
    variables: {
      /** Outage failures within BREAKER_WINDOW that open a breaker. */
      BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
      BREAKER_WINDOW: positiveDuration('10 minutes'),
      /** How long a breaker stays open before one probe goes through (half-open). */
      BREAKER_OPEN_FOR: positiveDuration('5 minutes'),
      /** A probe that reports nothing for this long lets the next caller probe instead. */
      BREAKER_PROBE_TIMEOUT: positiveDuration('5 minutes'),
    },
    switches: [],
    on: () => true,
    secrets: [],
    settings: (env): BreakerPolicy => ({
      failures: env.BREAKER_FAILURES,
      windowMs: durationMs(env.BREAKER_WINDOW as Duration),
      openForMs: durationMs(env.BREAKER_OPEN_FOR as Duration),
      probeTimeoutMs: durationMs(env.BREAKER_PROBE_TIMEOUT as Duration),
    }),
  }),
  tableau: connector({
    variables: {
      TABLEAU_SERVER_URL: url.optional(),
      TABLEAU_API_VERSION: z
        .string()
        .regex(/^\d+\.\d+$/)
        .default('3.24'),
      /** The site's contentUrl; '-' names the Default site of Tableau Server (contentUrl ""). */
      TABLEAU_SITE: optionalText,
      TABLEAU_PAT_NAME: optionalText,
      TABLEAU_PAT_SECRET: optionalText,
      /** Tableau calls at once in each worker process (they share the worker's one session). */
      TABLEAU_MAX_CONCURRENT_CALLS: z.coerce.number().int().positive().default(4),
    },
    switches: ['TABLEAU_SERVER_URL', 'TABLEAU_SITE', 'TABLEAU_PAT_NAME', 'TABLEAU_PAT_SECRET'],
    secrets: ['TABLEAU_PAT_SECRET'],
    settings: (env): TableauSettings => ({
      serverUrl: env.TABLEAU_SERVER_URL!,
      apiVersion: env.TABLEAU_API_VERSION,
      siteContentUrl: env.TABLEAU_SITE === '-' ? '' : env.TABLEAU_SITE!,
      patName: env.TABLEAU_PAT_NAME!,
      patSecret: env.TABLEAU_PAT_SECRET!,
    }),
  }),
  /** Zoom trainings' attendance (Server-to-Server OAuth app); webhooks arrive at the ingress. */
  zoom: connector({
    variables: {
      ZOOM_API_URL: url.default('https://api.zoom.us/v2/'),
      ZOOM_OAUTH_URL: url.default('https://zoom.us/'),
      ZOOM_ACCOUNT_ID: optionalText,
      ZOOM_CLIENT_ID: optionalText,
      ZOOM_CLIENT_SECRET: optionalText,
      ZOOM_REPORT_PAGE_SIZE: z.coerce.number().int().min(1).max(300).default(300),
      /** Where training summaries go (Slack). */
      ZOOM_LND_SLACK_CHANNEL: z.string().min(1).default('#learning'),
      /**
       * The ingress verifies with the webhook secret; the worker only knows it to keep it out of
       * logs, and the readiness check reports its age like every secret's (credentialAge.ts).
       */
      ZOOM_WEBHOOK_SECRET: optionalText,
      ZOOM_WEBHOOK_SECRET_FILE: optionalText,
      /** When the webhook secret was last rotated (ISO), when its file's mtime does not tell. */
      ZOOM_WEBHOOK_SECRET_ROTATED_AT: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date-time')
        .optional(),
    },
    switches: ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'],
    secrets: ['ZOOM_CLIENT_SECRET', 'ZOOM_WEBHOOK_SECRET'],
    settings: (env): ZoomSettings => ({
      apiUrl: env.ZOOM_API_URL,
      oauthUrl: env.ZOOM_OAUTH_URL,
      accountId: env.ZOOM_ACCOUNT_ID!,
      clientId: env.ZOOM_CLIENT_ID!,
      clientSecret: env.ZOOM_CLIENT_SECRET!,
      pageSize: env.ZOOM_REPORT_PAGE_SIZE,
      learningSlackChannel: env.ZOOM_LND_SLACK_CHANNEL,
    }),
  }),
  /** SMS pages for critical alerts through a Messaging Service, with delivery callbacks and a spend guard. */
  twilio: connector({
    variables: {
      TWILIO_API_URL: url.default('https://api.twilio.com'),
      TWILIO_ACCOUNT_SID: z
        .string()
        .regex(/^AC[0-9a-f]{32}$/, 'an account SID (AC + 32 hex)')
        .optional(),
      TWILIO_AUTH_TOKEN: optionalText,
      TWILIO_MESSAGING_SERVICE_SID: z
        .string()
        .regex(/^MG[0-9a-f]{32}$/, 'a Messaging Service SID (MG + 32 hex)')
        .optional(),
      TWILIO_ONCALL_NUMBERS: oncallNumbers.optional(),
      TWILIO_SMS_SEVERITIES: z
        .string()
        .default('critical')
        .refine((s) => s.split(',').every((v) => ['critical', 'warning'].includes(v.trim())), {
          message: 'a comma-separated list of critical and warning',
        }),
      TWILIO_UNDELIVERED_AFTER: z.string().default('10 minutes').refine(isPositiveDuration, {
        message: 'a duration such as "10 minutes"',
      }),
      TWILIO_DAILY_WARN_AT: z.coerce.number().positive().optional(),
      TWILIO_DAILY_CAP: z.coerce.number().positive().optional(),
      /** The ingress's public URL, as Twilio calls it (status callbacks are signed over it). */
      INGRESS_PUBLIC_URL: url.optional(),
    },
    switches: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_MESSAGING_SERVICE_SID'],
    // The numbers are personal data: kept out of logs like a secret.
    secrets: ['TWILIO_AUTH_TOKEN', 'TWILIO_ONCALL_NUMBERS'],
    settings: (env): TwilioSettings => ({
      apiUrl: env.TWILIO_API_URL,
      accountSid: env.TWILIO_ACCOUNT_SID!,
      authToken: env.TWILIO_AUTH_TOKEN!,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID!,
      oncall: parseOncall(env.TWILIO_ONCALL_NUMBERS ?? ''),
      severities: [...new Set(env.TWILIO_SMS_SEVERITIES.split(',').map((v) => v.trim() as Severity))],
      undeliveredAfterMs: durationMs(env.TWILIO_UNDELIVERED_AFTER as Duration),
      warnAt: env.TWILIO_DAILY_WARN_AT,
      cap: env.TWILIO_DAILY_CAP,
      statusCallbackUrl:
        env.INGRESS_PUBLIC_URL && `${env.INGRESS_PUBLIC_URL.replace(/\/+$/, '')}/twilio/status`,
    }),
  }),
};

type Connectors = typeof CONNECTORS;
export type ConnectorKey = keyof Connectors;
export const CONNECTOR_KEYS = Object.keys(CONNECTORS) as ConnectorKey[];

/** The settings of every configured connector (absent when it is not configured). */
export type ConnectorSettings = {
  [K in ConnectorKey]?: ReturnType<Connectors[K]['settings']>;
};

/** Every variable any connector reads. */
export const CONNECTOR_VARIABLES: z.ZodRawShape = Object.assign(
  {},
  ...CONNECTOR_KEYS.map((key) => CONNECTORS[key].variables),
) as z.ZodRawShape;

type AnySpec = ConnectorSpec<z.ZodRawShape, unknown>;
const spec = (key: ConnectorKey): AnySpec => CONNECTORS[key] as unknown as AnySpec;

/** Every secret's variable name, for NAME_FILE resolution. */
export const SECRET_VARIABLES: readonly string[] = CONNECTOR_KEYS.flatMap((key) => spec(key).secrets);

/** The chosen e-mail transport must be configured: SMTP_* for smtp, the `ses` connector for ses. */
export function emailTransportProblems(source: Record<string, string | undefined>): string[] {
  if (!source.EMAIL_FROM || !source.ALERT_EMAIL_TO) return [];
  if (source.EMAIL_TRANSPORT === 'ses')
    return spec('ses').switches.every((n) => source[n] !== undefined)
      ? []
      : [
          'EMAIL_TRANSPORT=ses needs SES_REGION, SES_ACCESS_KEY_ID, SES_SECRET_ACCESS_KEY, SES_CONFIGURATION_SET',
        ];
  return source.SMTP_HOST
    ? []
    : ['EMAIL_TRANSPORT=smtp (the default) needs SMTP_HOST, SMTP_USER, SMTP_PASSWORD'];
}

/** All-or-nothing groups: a problem line for each one that is only partly set. */
export function partlyConfigured(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const key of CONNECTOR_KEYS) {
    for (const names of [spec(key).switches, ...(spec(key).groups ?? [])]) {
      const set = names.filter((n) => source[n] !== undefined);
      if (set.length === 0 || set.length === names.length) continue;
      const missing = names.filter((n) => source[n] === undefined);
      problems.push(`${missing.join(', ')} missing: ${key} is partly configured (${set.join(', ')} set)`);
    }
  }
  return problems;
}

/** Settings for each connector whose switches are all set, and the secret values they hold. */
export function connectorSettings(env: Record<string, unknown>): {
  settings: ConnectorSettings;
  secrets: string[];
} {
  const settings: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const key of CONNECTOR_KEYS) {
    const { switches, secrets: secretNames, settings: build, on } = spec(key);
    if (!(on ? on(env) : switches.every((name) => env[name] !== undefined))) continue;
    settings[key] = build(env);
    for (const name of secretNames) if (typeof env[name] === 'string') secrets.push(env[name]);
  }
  return { settings: settings as ConnectorSettings, secrets };
}
