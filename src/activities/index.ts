// createActivities(deps): every activity, with its vendor clients injected by the composition root.
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
import { createWorkdayActivities, type WorkdayDeps } from './workday';
import { SftpSource } from '../vendors/sftp';

export interface ActivityDeps {
  notifications: NotificationDeps;
  email?: EmailDeps;
  connectors: Record<string, ConnectorProbe>;
  extraCaPem?: string;
  servicenow?: ServicenowDeps;
  /** One client per worker: it holds the Tableau session (a PAT allows one at a time). */
  tableau?: TableauClient;
  workday?: WorkdayDeps;
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
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Builds the vendor clients the configuration names. */
export function activityDepsFromConfig(config: Config): ActivityDeps {
  const ca = config.extraCaPem;
  const notifications: NotificationDeps = {};
  const connectors: Record<string, ConnectorProbe> = {};
  if (config.slack) {
    const client = new SlackClient({
      apiUrl: config.slack.apiUrl,
      botToken: config.slack.botToken,
      extraCaPem: ca,
    });
    notifications.slack = { client, channel: config.slack.channel };
    connectors.slack = { endpoint: config.slack.apiUrl, verifyCredentials: () => client.authTest() };
  }
  if (config.teams) {
    const client = new TeamsClient({ ...config.teams, extraCaPem: ca });
    notifications.teams = { client, teamId: config.teams.teamId, channelId: config.teams.channelId };
    connectors.teams = { endpoint: config.teams.graphBaseUrl, verifyCredentials: () => client.accessToken() };
  }
  if (config.erpnext) {
    const client = new ErpnextClient({ ...config.erpnext, extraCaPem: ca });
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
  };
  const workday: WorkdayDeps = {
    sftp: config.workdaySftp ? new SftpSource(config.workdaySftp) : undefined,
    exportDir: config.workdaySftp?.exportDir,
    erpnext: {
      us: config.erpnext ? new ErpnextClient({ ...config.erpnext, extraCaPem: ca }) : undefined,
      eu: config.erpnextEu ? new ErpnextClient({ ...config.erpnextEu, extraCaPem: ca }) : undefined,
    },
    quarantineDir: config.workdayQuarantineDir,
  };
  if (config.erpnextEu) {
    const client = workday.erpnext!.eu!;
    connectors['erpnext-eu'] = {
      endpoint: config.erpnextEu.url,
      verifyCredentials: () => client.loggedUser(),
    };
  }
  return { notifications, connectors, extraCaPem: ca, servicenow, tableau, email, workday };
}
