// Sends one alert to every channel at once. Each channel is its own activity with its own
// retries, so one failing channel never loses the alert on the other; the outcome per channel
// is returned for the workflow's report.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Alert } from '../domain/alert';

const channels = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
  },
});

export type ChannelOutcome = 'sent' | 'skipped' | 'failed';

export interface Announcement {
  slack: ChannelOutcome;
  teams: ChannelOutcome;
}

export async function announce(alert: Alert): Promise<Announcement> {
  const [slack, teams] = await Promise.allSettled([channels.notifySlack(alert), channels.notifyTeams(alert)]);
  return {
    slack: slack.status === 'fulfilled' ? slack.value.status : 'failed',
    teams: teams.status === 'fulfilled' ? teams.value.status : 'failed',
  };
}
