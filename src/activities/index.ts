// createActivities(deps): every activity, with its vendor clients injected by the composition root.
import type { Duration } from '@temporalio/common';
import type { Config } from '../config';
import type { ActionLinkSettings } from '../actionLinks';
import { CONNECTOR_KEYS, type ConnectorKey } from '../connectors';
import { EmailClient } from '../vendors/email';
import { SesClient } from '../vendors/ses';
import { ErpnextClient } from '../vendors/erpnext';
import { ServicenowClient } from '../vendors/servicenow';
import { SlackClient } from '../vendors/slack';
import { TableauClient } from '../vendors/tableau';
import { TeamsClient } from '../vendors/teams';
import { createCertificateActivities } from './certificates';
import { createEmailActivities, type EmailDeps } from './email';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createReadinessActivities, type ConnectorProbe } from './readiness';
import { createServicenowActivities, type ServicenowDeps } from './servicenow';
import { createTableauActivities } from './tableau';
import { createDigestActivities, type DigestDeps } from './digest';
import { createWorkdayActivities, type WorkdayDeltaDeps, type WorkdayDeps } from './workday';
import { WorkdayClient } from '../vendors/workday';
import { createDeadLetterActivities } from './deadLetter';
import { createRedriveActivities } from './redriveHandlers';
import { createErpnextActivities } from './erpnext';
import { SftpSource } from '../vendors/sftp';
import { FileTokenStore, storedTokenSource } from '../vendors/slackTokenStore';
import { createSlackTokenActivities, type SlackRotationDeps } from './slackToken';
import { ZoomClient } from '../vendors/zoom/client';
import { createZoomActivities } from './zoom';
import { TwilioClient } from '../vendors/twilio';
import { createTwilioActivities, type TwilioDeps } from './twilio';
import { createSalesforceActivities } from './salesforce';
import { SalesforceClient } from '../vendors/salesforce/client';
import { createBreakerActivities } from './breaker';
import type { BreakerPolicy } from '../domain/breaker';

export interface ActivityDeps {
  notifications: NotificationDeps;
  email?: EmailDeps;
  connectors: Record<string, ConnectorProbe>;
  extraCaPem?: string;
  servicenow?: ServicenowDeps;
  /** One client per worker: it holds the Tableau session (a PAT allows one at a time). */
  tableau?: TableauClient;
  workday?: WorkdayDeps;
  /** Workday SOAP deltas (Get_Workers), writing through the same ERPNext clients as `workday`. */
  workdayDelta?: WorkdayDeltaDeps;
  digest?: DigestDeps;
  /** Rotating Slack bot token: refreshed by the slackTokenRotation workflow into the token store. */
  slackRotation?: SlackRotationDeps;
  /** Zoom's API; attendance is written through the ERPNext clients of `workday`. */
  zoom?: ZoomClient;
  /** SMS pages and the spend guard. */
  twilio?: TwilioDeps;
  /** Salesforce: one client per worker (it holds the OAuth session). */
  salesforce?: SalesforceClient;
  /** The breakers' thresholds (BREAKER_* settings). */
  breaker?: BreakerPolicy;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps.notifications),
    ...createReadinessActivities({ connectors: deps.connectors, extraCaPem: deps.extraCaPem }),
    ...createServicenowActivities(deps.servicenow ?? {}),
    ...createCertificateActivities({ extraCaPem: deps.extraCaPem }),
    ...createEmailActivities(deps.email ?? { recipients: {} }),
    ...createTableauActivities({ client: deps.tableau }),
    ...createWorkdayActivities({ full: deps.workday ?? {}, delta: deps.workdayDelta ?? {} }),
    ...createErpnextActivities(deps.workday?.erpnext ?? {}),
    ...createSlackTokenActivities({ slackRotation: deps.slackRotation }),
    // Dead-letter queues: retention from DLQ_RETENTION (carried on the workday deps with the ERPNext clients).
    ...createDeadLetterActivities({ retention: deps.workday?.deadLetterRetention as Duration | undefined }),
    ...createRedriveActivities({
      erpnext: deps.workday?.erpnext,
      servicenow: deps.servicenow,
      salesforce: deps.salesforce,
    }),
    ...createSalesforceActivities({
      client: deps.salesforce,
      erpnext: deps.workday?.erpnext,
      servicenow: deps.servicenow?.client,
      retention: deps.workday?.deadLetterRetention,
    }),
    ...createDigestActivities(deps.digest ?? {}),
    ...createZoomActivities({ client: deps.zoom, erpnext: deps.workday?.erpnext }),
    ...createTwilioActivities(deps.twilio ?? {}),
    ...createBreakerActivities({ policy: deps.breaker }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** What the configured connectors have built so far: clients, and a readiness probe each. */
interface Wiring {
  ca?: string;
  notifications: NotificationDeps;
  probes: Record<string, ConnectorProbe>;
  /** One client per ERPNext site, shared by the probes, the import and the redrives. */
  erpnext: { us?: ErpnextClient; eu?: ErpnextClient };
  servicenow?: ServicenowDeps;
  tableau?: TableauClient;
  email?: EmailClient;
  sftp?: SftpSource;
  workday?: WorkdayClient;
  slackRotation?: SlackRotationDeps;
  actionLinks?: ActionLinkSettings;
  zoom?: ZoomClient;
  twilio?: TwilioDeps;
  salesforce?: SalesforceClient;
  breaker?: BreakerPolicy;
}

type Wire<K extends ConnectorKey> = (settings: NonNullable<Config[K]>, wiring: Wiring) => void;

/** Per connector of the connector table: the clients it builds and its readiness probe. */
const WIRE: { [K in ConnectorKey]: Wire<K> } = {
  slack: (s, w) => {
    const store = s.rotation && new FileTokenStore(s.rotation.storePath);
    const client = new SlackClient({
      apiUrl: s.apiUrl,
      // Rotating: the stored token, re-read when the file changes, never once it expired.
      botToken: store ? storedTokenSource(store) : (s.botToken ?? ''),
      extraCaPem: w.ca,
    });
    if (s.rotation && store)
      w.slackRotation = {
        client,
        store,
        clientId: s.rotation.clientId,
        clientSecret: s.rotation.clientSecret,
        initialRefreshToken: s.rotation.refreshToken,
      };
    w.notifications.slack = { client, channel: s.channel };
    if (s.platformEngineeringChannel)
      w.notifications.slackAudiences = {
        ...w.notifications.slackAudiences,
        'platform-engineering': s.platformEngineeringChannel,
      };
    w.probes.slack = {
      endpoint: s.apiUrl,
      verifyCredentials: () => client.authTest(),
      ...(store && {
        tokenTimes: () => {
          const record = store.read();
          return record && { refreshedAt: record.refreshedAt, expiresAt: record.expiresAt };
        },
      }),
    };
  },
  actionLinks: (s, w) => {
    w.actionLinks = s;
    w.notifications.actionLinks = s;
  },
  teams: (s, w) => {
    const client = new TeamsClient({ ...s, extraCaPem: w.ca });
    w.notifications.teams = { client, teamId: s.teamId, channelId: s.channelId };
    w.probes.teams = { endpoint: s.graphBaseUrl, verifyCredentials: () => client.accessToken() };
  },
  email: (s, w) => {
    if (s.transport === 'smtp') w.email = new EmailClient({ ...s, extraCaPem: w.ca });
  },
  // Used when EMAIL_TRANSPORT=ses: the client needs the email entry's sender (built below).
  ses: () => {},
  erpnext: (s, w) => {
    const client = new ErpnextClient({ ...s, extraCaPem: w.ca });
    w.erpnext.us = client;
    w.probes.erpnext = { endpoint: s.url, verifyCredentials: () => client.loggedUser() };
  },
  erpnextEu: (s, w) => {
    const client = new ErpnextClient({ ...s, extraCaPem: w.ca });
    w.erpnext.eu = client;
    w.probes['erpnext-eu'] = { endpoint: s.url, verifyCredentials: () => client.loggedUser() };
  },
  workdaySftp: (s, w) => {
    const sftp = new SftpSource(s);
    w.sftp = sftp;
    w.probes.sftp = {
      endpoint: `sftp://${s.host}:${s.port}${s.exportDir.startsWith('/') ? '' : '/'}${s.exportDir}`,
      verifyCredentials: () => sftp.list(s.exportDir),
    };
  },
  workdaySoap: (s, w) => {
    const client = new WorkdayClient({ ...s, extraCaPem: w.ca });
    w.workday = client;
    // One worker, as of now: the cheapest call that proves the ISU's password and permissions.
    w.probes.workday = {
      endpoint: s.url,
      verifyCredentials: () => client.getWorkers({ asOf: new Date().toISOString(), page: 1, count: 1 }),
    };
  },
  servicenow: (s, w) => {
    const client = new ServicenowClient({ ...s, extraCaPem: w.ca });
    w.servicenow = { client };
    w.probes.servicenow = {
      endpoint: s.url,
      verifyCredentials: () => client.list('sys_user', { limit: 1, fields: ['sys_id'] }),
    };
  },
  salesforce: (s, w) => {
    const client = new SalesforceClient({ ...s, extraCaPem: w.ca });
    w.salesforce = client;
    w.probes.salesforce = { endpoint: s.loginUrl, verifyCredentials: () => client.limits() };
  },
  breaker: (s, w) => {
    w.breaker = s;
  },
  // Not in the readiness probes yet: a probe's sign-in would end the runs' shared session.
  tableau: (s, w) => {
    w.tableau = new TableauClient({ ...s, extraCaPem: w.ca });
  },
  zoom: (s, w) => {
    const client = new ZoomClient({ ...s, extraCaPem: w.ca });
    w.zoom = client;
    w.notifications.slackAudiences = { ...w.notifications.slackAudiences, learning: s.learningSlackChannel };
    w.probes.zoom = {
      endpoint: s.apiUrl,
      verifyCredentials: () => client.accessToken(),
    };
  },
  twilio: (s, w) => {
    const client = new TwilioClient({ ...s, extraCaPem: w.ca });
    w.twilio = { client, settings: s };
    w.probes.twilio = { endpoint: s.apiUrl, verifyCredentials: () => client.account() };
  },
};

/** Builds the vendor clients the configuration names, one connector-table entry at a time. */
export function activityDepsFromConfig(config: Config): ActivityDeps {
  const w: Wiring = {
    ca: config.extraCaPem,
    notifications: { uiUrl: config.temporalUiUrl },
    probes: {},
    erpnext: {},
  };
  for (const key of CONNECTOR_KEYS) {
    const settings = config[key];
    if (!settings) continue;
    const probesBefore = new Set(Object.keys(w.probes));
    (WIRE[key] as Wire<typeof key>)(settings as never, w);
    // The connector's probes report the age of its secrets.
    for (const [name, probe] of Object.entries(w.probes))
      if (!probesBefore.has(name)) probe.credentials = config.credentials?.[key];
  }
  const ses =
    config.email?.transport === 'ses' && config.ses
      ? new SesClient({ ...config.ses, from: config.email.from, extraCaPem: w.ca })
      : undefined;
  const workday: WorkdayDeps = {
    sftp: w.sftp,
    exportDir: config.workdaySftp?.exportDir,
    erpnext: w.erpnext,
    quarantineDir: config.workdayQuarantineDir,
    deadLetterRetention: config.dlqRetention,
  };
  return {
    notifications: w.notifications,
    connectors: w.probes,
    extraCaPem: w.ca,
    servicenow: w.servicenow,
    tableau: w.tableau,
    email: {
      client: ses ?? w.email,
      configurationSet: ses?.configurationSet,
      digestTo: config.email?.digestTo,
      recipients: {
        alerts: config.email?.alertsTo,
        'vendor-contact': config.email?.vendorContact,
        'platform-engineering': config.email?.platformEngineering,
      },
      uiUrl: config.temporalUiUrl,
      actionLinks: w.actionLinks,
    },
    slackRotation: w.slackRotation,
    zoom: w.zoom,
    twilio: w.twilio,
    salesforce: w.salesforce,
    breaker: w.breaker,
    workday,
    workdayDelta: {
      client: w.workday,
      erpnext: w.erpnext,
      quarantineDir: config.workdayQuarantineDir,
      deadLetterRetention: config.dlqRetention,
    },
    digest: {
      slack: w.notifications.slack && { ...w.notifications.slack, channel: config.digestSlackChannel },
      teams: w.notifications.teams,
      servicenow: w.servicenow?.client,
      twilio: w.twilio?.client,
    },
  };
}
