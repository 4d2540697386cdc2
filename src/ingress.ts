// Composition root of the ingress: verified inbound HTTP → Temporal. Stateless (every dedupe is
// Temporal's: update ids and workflow ids from the vendor's own ids), so any number of replicas
// can run behind a load balancer. `npm run ingress`; started by `npm start` on INGRESS_PORT.
import { Client, Connection } from '@temporalio/client';
import { useAuditWriter, createAuditWriter } from './audit';
import { dataConverterFromEnv } from './codec/dataConverter';
import { temporalSettings } from './client';
import { formatStatusTable } from './domain/statusTable';
import { loadIngressConfig, type IngressConfig } from './ingress/config';
import { registerActionLinkRoutes } from './ingress/actionLinks';
import { createIngressMetrics } from './ingress/metrics';
import { createIngressServer } from './ingress/server';
import { registerSalesforceRoutes } from './ingress/salesforce';
import { registerSlackRoutes } from './ingress/slack';
import { registerSesRoutes } from './ingress/sesSns';
import { SnsVerifier } from './ingress/snsSignature';
import { fetchDispatcher } from './vendors/https';
import { slackPeople } from './ingress/slackPeople';
import { clientGateway } from './ingress/temporal';
import { registerZoomRoutes } from './ingress/zoom';
import { registerTwilioRoutes } from './ingress/twilio';
import { createLogger } from './logger';
import { closeOnSignals, runMain } from './serve';
import { collectStatus } from './status';
import { SlackClient } from './vendors/slack';
import { FileTokenStore, storedTokenSource } from './vendors/slackTokenStore';

/** The rotating token from the workers' store when configured (never an expired one), else the fixed one. */
function slackToken(config: IngressConfig): string | (() => string) {
  if (!config.SLACK_TOKEN_STORE) return config.SLACK_BOT_TOKEN ?? '';
  return storedTokenSource(new FileTokenStore(config.SLACK_TOKEN_STORE));
}

export function createIngress(config: IngressConfig, client: Client) {
  const metrics = createIngressMetrics();
  const log = createLogger(config.LOG_LEVEL, 'ingress');
  const app = createIngressServer(metrics, config.INGRESS_BODY_LIMIT);
  const slackClient = new SlackClient({
    apiUrl: config.SLACK_API_URL,
    botToken: slackToken(config),
    extraCaPem: config.extraCaPem,
    timeoutMs: 2_000,
  });
  const temporal = clientGateway(client, config.TASK_QUEUE);
  if (config.ACTION_LINK_SECRET)
    registerActionLinkRoutes(app, { secret: config.ACTION_LINK_SECRET, temporal, metrics, log });
  if (config.TWILIO_AUTH_TOKEN && config.INGRESS_PUBLIC_URL)
    registerTwilioRoutes(app, {
      authToken: config.TWILIO_AUTH_TOKEN,
      publicUrl: config.INGRESS_PUBLIC_URL,
      temporal,
      metrics,
      log,
    });
  else if (config.TWILIO_AUTH_TOKEN)
    log.warn(
      'TWILIO_AUTH_TOKEN set without INGRESS_PUBLIC_URL: no /twilio/status (Twilio signs the URL it called)',
    );
  registerSlackRoutes(app, {
    secrets: { current: config.SLACK_SIGNING_SECRET, previous: config.SLACK_SIGNING_SECRET_PREVIOUS },
    temporal,
    slack: slackPeople(slackClient, config.SLACK_RESPONSE_URL_PREFIX, config.extraCaPem),
    cabUsergroup: config.SLACK_CAB_USERGROUP,
    statusTable: async () => {
      const now = new Date();
      return formatStatusTable((await collectStatus(client, now)).rows, now);
    },
    metrics,
    log,
  });
  if (config.ZOOM_WEBHOOK_SECRET)
    registerZoomRoutes(app, {
      secrets: { current: config.ZOOM_WEBHOOK_SECRET, previous: config.ZOOM_WEBHOOK_SECRET_PREVIOUS },
      training: {
        topicPrefix: config.ZOOM_TRAINING_TOPIC_PREFIX,
        seriesIds: config.ZOOM_TRAINING_SERIES_IDS,
      },
      temporal,
      metrics,
      log,
    });
  if (config.SES_SNS_TOPIC_ARNS?.length) {
    const dispatcher = fetchDispatcher(config.extraCaPem);
    registerSesRoutes(app, {
      verifier: new SnsVerifier(config.SES_SNS_CERT_HOST_PATTERN, dispatcher),
      topicArns: config.SES_SNS_TOPIC_ARNS,
      configurationSet: config.SES_CONFIGURATION_SET,
      dispatcher,
      temporal,
      metrics,
      log,
    });
  }
  if (config.SALESFORCE_ORG_ID && config.SALESFORCE_OUTBOUND_SECRET)
    registerSalesforceRoutes(app, {
      orgId: config.SALESFORCE_ORG_ID,
      secret: config.SALESFORCE_OUTBOUND_SECRET,
      temporal,
      metrics,
      log,
    });
  return { app, metrics, log };
}

async function main(): Promise<void> {
  const config = loadIngressConfig();
  useAuditWriter(createAuditWriter(config.AUDIT_LOG));
  const { connectionOptions, namespace } = temporalSettings();
  // Lazy: the ingress answers (503) while Temporal is away instead of refusing to start.
  const client = new Client({
    connection: Connection.lazy(connectionOptions),
    namespace,
    dataConverter: dataConverterFromEnv(),
  });
  const { app, log } = createIngress(config, client);
  const address = await app.listen({ port: config.INGRESS_PORT, host: config.INGRESS_HOST });
  log.info({ address, namespace }, 'ingress listening');
  closeOnSignals(app);
}

if (require.main === module) runMain(main);
