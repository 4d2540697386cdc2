// The ingress's settings, validated at start. Signing secrets and the bot token may come from
// NAME_FILE (docker secrets); they stay in this process and are never logged.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT } from './server';
import { DEFAULT_SNS_CERT_HOST_PATTERN } from './snsSignature';

const text = z.string().min(1);

const schema = z.object({
  INGRESS_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  INGRESS_HOST: text.default('0.0.0.0'),
  INGRESS_BODY_LIMIT: z.coerce.number().int().positive().default(DEFAULT_BODY_LIMIT),
  /** Where event workflows run (the workers' queue). */
  TASK_QUEUE: text.default('integrations'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  AUDIT_LOG: text.default('data/audit.jsonl'),
  TLS_CA_FILE: text.optional(),
  /** Verifies the Teams/e-mail action links the worker mints (the same secret as the worker's). */
  ACTION_LINK_SECRET: text.optional(),
  SLACK_SIGNING_SECRET: text,
  /** The secret being rotated out: accepted until removed (metrics say when it stopped matching). */
  SLACK_SIGNING_SECRET_PREVIOUS: text.optional(),
  SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
  /** A fixed bot token; or, with token rotation, the workers' token store (read on change). */
  SLACK_BOT_TOKEN: text.optional(),
  SLACK_TOKEN_STORE: text.optional(),
  SLACK_CAB_USERGROUP: text.optional(),
  /** Only response_urls under this prefix are posted to (Slack's own hooks host by default). */
  SLACK_RESPONSE_URL_PREFIX: z.string().url().default('https://hooks.slack.com/'),
  /** Zoom's webhook secret token: set it and POST /zoom/webhook is served. */
  ZOOM_WEBHOOK_SECRET: text.optional(),
  /** The Zoom secret being rotated out: accepted until removed. */
  ZOOM_WEBHOOK_SECRET_PREVIOUS: text.optional(),
  /** Ended meetings whose topic starts with this are trainings. */
  ZOOM_TRAINING_TOPIC_PREFIX: text.default('Training:'),
  /** Meeting numbers (comma-separated) whose every occurrence is a training. */
  ZOOM_TRAINING_SERIES_IDS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  /** SES feedback through SNS: the topics (comma-separated ARNs) POST /ses/sns accepts; unset = no route. */
  SES_SNS_TOPIC_ARNS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .optional(),
  /**
   * The configuration set the workers send with (the worker's SES_CONFIGURATION_SET): identity
   * notifications carry no tags, so their bounces count under it. Unset: 'default'.
   */
  SES_CONFIGURATION_SET: text.optional(),
  /** Hosts (with port, if any) SNS signing certificates and SubscribeURLs may come from: a regex. */
  SES_SNS_CERT_HOST_PATTERN: text.default(DEFAULT_SNS_CERT_HOST_PATTERN),
  /** The public URL vendors call the ingress at; signed callbacks are checked against it. */
  INGRESS_PUBLIC_URL: z.string().url().optional(),
  /** Twilio status callbacks (POST /twilio/status) are verified with the account's auth token. */
  TWILIO_AUTH_TOKEN: text.optional(),
  /** Salesforce Outbound Messages: accepted only from this org, with this token in the endpoint URL. */
  SALESFORCE_ORG_ID: z
    .string()
    .regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'an organization id (00D…)')
    .optional(),
  SALESFORCE_OUTBOUND_SECRET: text.optional(),
});

const SECRETS = [
  'SLACK_SIGNING_SECRET',
  'SLACK_SIGNING_SECRET_PREVIOUS',
  'SLACK_BOT_TOKEN',
  'ACTION_LINK_SECRET',
  'ZOOM_WEBHOOK_SECRET',
  'ZOOM_WEBHOOK_SECRET_PREVIOUS',
  'TWILIO_AUTH_TOKEN',
  'SALESFORCE_OUTBOUND_SECRET',
] as const;

export type IngressConfig = z.infer<typeof schema> & { extraCaPem?: string };

export function loadIngressConfig(source: Record<string, string | undefined> = process.env): IngressConfig {
  const env = { ...source };
  for (const name of SECRETS) {
    const file = env[`${name}_FILE`];
    if (file && !env[name]) env[name] = readFileSync(file, 'utf8').trim();
  }
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `Invalid ingress configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  const config: IngressConfig = parsed.data;
  if (!config.SLACK_BOT_TOKEN && !config.SLACK_TOKEN_STORE)
    throw new Error('Invalid ingress configuration:\n  - set SLACK_BOT_TOKEN or SLACK_TOKEN_STORE');
  if (Boolean(config.SALESFORCE_ORG_ID) !== Boolean(config.SALESFORCE_OUTBOUND_SECRET))
    throw new Error(
      'Invalid ingress configuration:\n  - set both SALESFORCE_ORG_ID and SALESFORCE_OUTBOUND_SECRET, or neither',
    );
  if (config.TLS_CA_FILE) config.extraCaPem = readFileSync(config.TLS_CA_FILE, 'utf8');
  return config;
}
