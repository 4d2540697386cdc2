// createActivities(deps): every activity, with its vendor clients injected by the composition root.
import type { Config } from '../config';
import { ErpnextClient } from '../vendors/erpnext';
import { SlackClient } from '../vendors/slack';
import { TeamsClient } from '../vendors/teams';
import { createCertificateActivities } from './certificates';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createReadinessActivities, type ConnectorProbe } from './readiness';

export interface ActivityDeps {
  notifications: NotificationDeps;
  connectors: Record<string, ConnectorProbe>;
  extraCaPem?: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps.notifications),
    ...createReadinessActivities({ connectors: deps.connectors, extraCaPem: deps.extraCaPem }),
    ...createCertificateActivities({ extraCaPem: deps.extraCaPem }),
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
  return { notifications, connectors, extraCaPem: ca };
}
