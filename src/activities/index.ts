// createActivities(deps): every activity, with its vendor clients injected by the composition root.
import type { Duration } from '@temporalio/common';
import type { Config } from '../config';
import { EmailClient } from '../vendors/email';
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
import { createWorkdayActivities, type WorkdayDeps } from './workday';
import { createWorkdayDeltaActivities, type WorkdayDeltaDeps } from './workdayDelta';
import { WorkdayClient } from '../vendors/workday';
import { createDeadLetterActivities } from './deadLetter';
import { createRedriveActivities } from './redriveHandlers';
import { createWorkdayScanActivities } from './workdayScan';
import { createErpnextProbeActivities } from './erpnextProbe';
import { createWorkdayCursorActivities } from './workdayCursor';
import { SftpSource } from '../vendors/sftp';
import { FileTokenStore, storedTokenSource } from '../vendors/slackTokenStore';
import { createSlackTokenActivities, type SlackRotationDeps } from './slackToken';

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
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps.notifications),
    ...createReadinessActivities({ connectors: deps.connectors, extraCaPem: deps.extraCaPem }),
    ...createServicenowActivities(deps.servicenow ?? {}),
    ...createCertificateActivities({ extraCaPem: deps.extraCaPem }),
    ...createEmailActivities(deps.email ?? { recipients: {} }),
    ...createTableauActivities({ client: deps.tableau }),
    ...createWorkdayActivities(deps.workday ?? {}),
    ...createWorkdayDeltaActivities(deps.workdayDelta ?? {}),
    // Dead-letter queues: retention from DLQ_RETENTION (carried on the workday deps with the ERPNext clients).
    ...createDeadLetterActivities({ retention: deps.workday?.deadLetterRetention as Duration | undefined }),
    ...createRedriveActivities({ erpnext: deps.workday?.erpnext, servicenow: deps.servicenow }),
    ...createDigestActivities(deps.digest ?? {}),
    ...createWorkdayScanActivities(deps.workday ?? {}),
    ...createErpnextProbeActivities(deps.workday?.erpnext ?? {}),
    ...createWorkdayCursorActivities(),
    ...createSlackTokenActivities({ slackRotation: deps.slackRotation }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Builds the vendor clients the configuration names. */
export function activityDepsFromConfig(config: Config): ActivityDeps {
  const ca = config.extraCaPem;
  const notifications: NotificationDeps = { actionLinks: config.actionLinks };
  const connectors: Record<string, ConnectorProbe> = {};
  let slackRotation: SlackRotationDeps | undefined;
  if (config.slack) {
    const { rotation, botToken } = config.slack;
    const store = rotation && new FileTokenStore(rotation.storePath);
    const client = new SlackClient({
      apiUrl: config.slack.apiUrl,
      // Rotating: the stored token, re-read when the file changes, never once it expired.
      botToken: store ? storedTokenSource(store) : (botToken ?? ''),
      extraCaPem: ca,
    });
    if (rotation && store)
      slackRotation = {
        client,
        store,
        clientId: rotation.clientId,
        clientSecret: rotation.clientSecret,
        initialRefreshToken: rotation.refreshToken,
      };
    notifications.slack = { client, channel: config.slack.channel };
    connectors.slack = {
      endpoint: config.slack.apiUrl,
      verifyCredentials: () => client.authTest(),
      ...(store && {
        tokenTimes: () => {
          const record = store.read();
          return record && { refreshedAt: record.refreshedAt, expiresAt: record.expiresAt };
        },
      }),
    };
  }
  if (config.teams) {
    const client = new TeamsClient({ ...config.teams, extraCaPem: ca });
    notifications.teams = { client, teamId: config.teams.teamId, channelId: config.teams.channelId };
    connectors.teams = { endpoint: config.teams.graphBaseUrl, verifyCredentials: () => client.accessToken() };
  }
  // One client per ERPNext site, shared by the probes, the import and the redrives.
  const erpnext = {
    us: config.erpnext ? new ErpnextClient({ ...config.erpnext, extraCaPem: ca }) : undefined,
    eu: config.erpnextEu ? new ErpnextClient({ ...config.erpnextEu, extraCaPem: ca }) : undefined,
  };
  if (config.erpnext && erpnext.us) {
    const client = erpnext.us;
    connectors.erpnext = { endpoint: config.erpnext.url, verifyCredentials: () => client.loggedUser() };
  }
  let servicenow: ServicenowDeps | undefined;
  if (config.servicenow) {
    const client = new ServicenowClient({ ...config.servicenow, extraCaPem: ca });
    servicenow = { client };
    connectors.servicenow = {
      endpoint: config.servicenow.url,
      verifyCredentials: () => client.list('sys_user', { limit: 1, fields: ['sys_id'] }),
    };
  }
  // Not in the readiness probes yet: a probe's sign-in would end the runs' shared session.
  const tableau = config.tableau ? new TableauClient({ ...config.tableau, extraCaPem: ca }) : undefined;
  const email: EmailDeps = {
    client: config.email ? new EmailClient({ ...config.email, extraCaPem: ca }) : undefined,
    recipients: { alerts: config.email?.alertsTo, 'vendor-contact': config.email?.vendorContact },
    actionLinks: config.actionLinks,
  };
  const workday: WorkdayDeps = {
    sftp: config.workdaySftp ? new SftpSource(config.workdaySftp) : undefined,
    exportDir: config.workdaySftp?.exportDir,
    erpnext,
    quarantineDir: config.workdayQuarantineDir,
    deadLetterRetention: config.dlqRetention,
  };
  const workdayDelta: WorkdayDeltaDeps = {
    client: config.workdaySoap ? new WorkdayClient({ ...config.workdaySoap, extraCaPem: ca }) : undefined,
    erpnext: workday.erpnext,
    quarantineDir: config.workdayQuarantineDir,
    deadLetterRetention: config.dlqRetention,
  };
  if (config.erpnextEu && erpnext.eu) {
    const client = erpnext.eu;
    connectors['erpnext-eu'] = {
      endpoint: config.erpnextEu.url,
      verifyCredentials: () => client.loggedUser(),
    };
  }
  if (config.workdaySoap && workdayDelta.client) {
    const client = workdayDelta.client;
    // One worker, as of now: the cheapest call that proves the ISU's password and permissions.
    connectors.workday = {
      endpoint: config.workdaySoap.url,
      verifyCredentials: () => client.getWorkers({ asOf: new Date().toISOString(), page: 1, count: 1 }),
    };
  }
  if (config.workdaySftp && workday.sftp) {
    const sftp = workday.sftp;
    const { host, port, exportDir } = config.workdaySftp;
    connectors.sftp = { endpoint: `sftp://${host}:${port}`, verifyCredentials: () => sftp.list(exportDir) };
  }
  const digest: DigestDeps = {
    slack: notifications.slack && { ...notifications.slack, channel: config.digestSlackChannel },
    teams: notifications.teams,
    servicenow: servicenow?.client,
  };
  return {
    slackRotation,
    notifications,
    connectors,
    extraCaPem: ca,
    servicenow,
    tableau,
    email,
    workday,
    digest,
    workdayDelta,
  };
}
