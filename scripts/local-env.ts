// The worker environment that points every connector at the local simulators. Used by
// `npm start` and the e2e tests; real deployments set these variables to real tenants.
import { TWILIO_SIM } from '../simulators/twilio/server';

export interface SimulatorEndpoints {
  caFile: string;
  slack: { url: string };
  graph: { url: string };
  erpnext: { url: string };
  tableau?: { url: string };
  servicenow?: { url: string };
  erpnextEu?: { url: string };
  sftp?: { host: string; port: number; username: string; password: string; hostKeyFingerprint: string };
  smtp?: { host: string; port: number };
  workday?: { url: string };
  zoom?: { url: string };
  ses?: { url: string };
  twilio?: { url: string };
  salesforce?: { url: string };
}

export const SIMULATOR_CREDENTIALS = {
  slackToken: 'xoxb-sim-token',
  slackSigningSecret: 'sim-signing-secret',
  slackCabUsergroup: 'S0SIMCAB01',
  graphTenant: 'sim-tenant',
  graphClientId: 'sim-client',
  graphClientSecret: 'sim-secret',
  graphRefreshToken: 'sim-refresh-token',
  erpnextKey: 'sim-key',
  erpnextSecret: 'sim-secret',
  tableauPatName: 'integrations-bot',
  tableauPatSecret: 'sim-tableau-pat-secret',
  smtpUser: 'sim-smtp',
  smtpPassword: 'sim-smtp-password',
  servicenowUser: 'integration.user',
  servicenowPassword: 'sim-password',
  servicenowClientId: 'sim-client-id',
  servicenowClientSecret: 'sim-client-secret',
  workdayTenant: 'acme',
  workdayUsername: 'ISU_Integrations',
  workdayPassword: 'sim-workday-password',
  zoomAccountId: 'sim-account',
  zoomClientId: 'sim-zoom-client',
  zoomClientSecret: 'sim-zoom-secret',
  zoomWebhookSecret: 'sim-zoom-webhook-secret',
  sesAccessKeyId: 'AKIASIMULATOR0000001',
  sesSecretAccessKey: 'sim-ses-secret',
  sesTopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
  salesforceClientId: 'sim-consumer-key',
  salesforceClientSecret: 'sim-consumer-secret',
  salesforceOrgId: '00D000000000001AAA',
  salesforceOutboundSecret: 'sim-outbound-secret',
} as const;

export function simulatorEnv(sims: SimulatorEndpoints): Record<string, string> {
  const c = SIMULATOR_CREDENTIALS;
  return {
    TLS_CA_FILE: sims.caFile,
    SLACK_API_URL: `${sims.slack.url}/api/`,
    SLACK_BOT_TOKEN: c.slackToken,
    SLACK_CHANNEL: '#integration-ops',
    // The ingress: the simulator signs its clicks with this secret and serves the response_urls.
    SLACK_SIGNING_SECRET: c.slackSigningSecret,
    SLACK_CAB_USERGROUP: c.slackCabUsergroup,
    SLACK_RESPONSE_URL_PREFIX: `${sims.slack.url}/`,
    GRAPH_BASE_URL: `${sims.graph.url}/`,
    GRAPH_LOGIN_URL: `${sims.graph.url}/`,
    GRAPH_TENANT_ID: c.graphTenant,
    GRAPH_CLIENT_ID: c.graphClientId,
    GRAPH_CLIENT_SECRET: c.graphClientSecret,
    GRAPH_REFRESH_TOKEN: c.graphRefreshToken,
    TEAMS_TEAM_ID: 'team-integrations',
    TEAMS_CHANNEL_ID: 'channel-integration-ops',
    ERPNEXT_URL: sims.erpnext.url,
    ERPNEXT_API_KEY: c.erpnextKey,
    ERPNEXT_API_SECRET: c.erpnextSecret,
    // The simulated sites' time zones (simulators/run-all.ts): US on New York, EU on Berlin time.
    ERPNEXT_TIME_ZONE: 'America/New_York',
    ...(sims.erpnextEu
      ? {
          ERPNEXT_EU_URL: sims.erpnextEu.url,
          ERPNEXT_EU_API_KEY: c.erpnextKey,
          ERPNEXT_EU_API_SECRET: c.erpnextSecret,
          ERPNEXT_EU_TIME_ZONE: 'Europe/Berlin',
        }
      : {}),
    ...(sims.sftp
      ? {
          WORKDAY_SFTP_HOST: sims.sftp.host,
          WORKDAY_SFTP_PORT: String(sims.sftp.port),
          WORKDAY_SFTP_USERNAME: sims.sftp.username,
          WORKDAY_SFTP_PASSWORD: sims.sftp.password,
          WORKDAY_SFTP_HOST_KEY_SHA256: sims.sftp.hostKeyFingerprint,
          WORKDAY_EXPORT_DIR: '/exports',
        }
      : {}),
    ...(sims.tableau
      ? {
          TABLEAU_SERVER_URL: sims.tableau.url,
          TABLEAU_SITE: 'acme',
          TABLEAU_PAT_NAME: c.tableauPatName,
          TABLEAU_PAT_SECRET: c.tableauPatSecret,
        }
      : {}),
    ...(sims.salesforce
      ? {
          SALESFORCE_LOGIN_URL: sims.salesforce.url,
          SALESFORCE_CLIENT_ID: c.salesforceClientId,
          SALESFORCE_CLIENT_SECRET: c.salesforceClientSecret,
        }
      : {}),
    ...(sims.smtp
      ? {
          SMTP_HOST: sims.smtp.host,
          SMTP_PORT: String(sims.smtp.port),
          SMTP_USER: c.smtpUser,
          SMTP_PASSWORD: c.smtpPassword,
          EMAIL_FROM: 'integrations@example.com',
          ALERT_EMAIL_TO: 'integration-ops@example.com',
          VENDOR_CONTACT_EMAIL: 'erp-vendor-ops@example.com',
        }
      : {}),
    ...(sims.servicenow
      ? {
          SERVICENOW_URL: sims.servicenow.url,
          SERVICENOW_USERNAME: c.servicenowUser,
          SERVICENOW_PASSWORD: c.servicenowPassword,
          SERVICENOW_CLIENT_ID: c.servicenowClientId,
          SERVICENOW_CLIENT_SECRET: c.servicenowClientSecret,
        }
      : {}),
    // SES is configured, but mail goes over SMTP unless EMAIL_TRANSPORT=ses (npm start sets it).
    ...(sims.ses
      ? {
          SES_REGION: 'us-east-1',
          SES_ENDPOINT: sims.ses.url,
          SES_ACCESS_KEY_ID: c.sesAccessKeyId,
          SES_SECRET_ACCESS_KEY: c.sesSecretAccessKey,
          SES_CONFIGURATION_SET: 'integrations',
          // The ingress: SNS feedback from the simulator's topic, its certificate from its host.
          SES_SNS_TOPIC_ARNS: c.sesTopicArn,
          SES_SNS_CERT_HOST_PATTERN: `^${new URL(sims.ses.url).host.replace(/\./g, '\\.')}$`,
        }
      : {}),
    ...(sims.workday
      ? {
          WORKDAY_SOAP_URL: sims.workday.url,
          WORKDAY_SOAP_TENANT: c.workdayTenant,
          WORKDAY_SOAP_USERNAME: c.workdayUsername,
          WORKDAY_SOAP_PASSWORD: c.workdayPassword,
        }
      : {}),
    ...(sims.zoom
      ? {
          ZOOM_API_URL: `${sims.zoom.url}/v2/`,
          ZOOM_OAUTH_URL: `${sims.zoom.url}/`,
          ZOOM_ACCOUNT_ID: c.zoomAccountId,
          ZOOM_CLIENT_ID: c.zoomClientId,
          ZOOM_CLIENT_SECRET: c.zoomClientSecret,
          // The ingress: the simulator's webhook sender signs with this secret.
          ZOOM_WEBHOOK_SECRET: c.zoomWebhookSecret,
        }
      : {}),
    // No on-call numbers here: a page needs TWILIO_ONCALL_NUMBERS (npm start and the SMS tests set it).
    ...(sims.twilio
      ? {
          TWILIO_API_URL: sims.twilio.url,
          TWILIO_ACCOUNT_SID: TWILIO_SIM.accountSid,
          TWILIO_AUTH_TOKEN: TWILIO_SIM.authToken,
          TWILIO_MESSAGING_SERVICE_SID: TWILIO_SIM.messagingServiceSid,
        }
      : {}),
  };
}
