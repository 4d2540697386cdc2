// Sends one alert to every channel at once. Each channel is its own activity with its own
// retries, so one failing channel never loses the alert on the other. A channel that keeps
// failing for the failover window (default 15 minutes) is replaced by one email for this alert,
// and the channel's recovery workflow posts one summary there once it works again. Critical (and
// warning) alerts also page the on-call roles by SMS (smsPage), which falls over to email itself.
import type { Duration } from '@temporalio/common';
import { getExternalWorkflowHandle, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Alert } from '../../domain/alert';
import { channelRecovery, channelRecoveryWorkflowId, missedAlert, type Channel } from '../channelRecovery';
import { PAGEABLE } from '../../domain/sms';
import { pageBySms } from './smsPaging';
import { startChildOnce } from './startChildOnce';
import { vendorActivities } from './vendorActivities';

export type ChannelOutcome = 'sent' | 'skipped' | 'failed' | 'emailed';

export interface Announcement {
  slack: ChannelOutcome;
  teams: ChannelOutcome;
}

export const DEFAULT_FAILOVER_AFTER: Duration = '15 minutes';

function channelActivities(channel: Channel, failoverAfter: Duration) {
  return vendorActivities(channel, {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: failoverAfter,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
}

const email = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export async function announce(
  alert: Alert,
  options: { failoverAfter?: Duration } = {},
): Promise<Announcement> {
  const { namespace, workflowId, runId } = workflowInfo();
  alert = { ...alert, run: alert.run ?? { namespace, workflowId, runId } };
  // Runs recorded before SMS pages existed replay without them.
  if (PAGEABLE.includes(alert.severity) && patched('sms-page')) {
    // The chat and email forms of the alert name the page's run, where its delivery is recorded.
    const page = await pageBySms(alert);
    if (page) alert = { ...alert, smsPage: page };
  }
  const failoverAfter = options.failoverAfter ?? DEFAULT_FAILOVER_AFTER;
  const [slack, teams] = await Promise.allSettled([
    channelActivities('slack', failoverAfter).notifySlack(alert),
    channelActivities('teams', failoverAfter).notifyTeams(alert),
  ]);
  const outcome: Announcement = {
    slack: slack.status === 'fulfilled' ? slack.value.status : 'failed',
    teams: teams.status === 'fulfilled' ? teams.value.status : 'failed',
  };
  const failed = (['slack', 'teams'] as const).filter((c) => outcome[c] === 'failed');
  if (failed.length === 0) return outcome;
  const emailed = await email.emailAlert(alert, [...failed]).catch(() => undefined);
  if (emailed?.status !== 'sent') return outcome;
  for (const channel of failed) {
    outcome[channel] = 'emailed';
    await noteMissed(channel, alert);
  }
  return outcome;
}

async function noteMissed(channel: Channel, alert: Alert): Promise<void> {
  const workflowId = channelRecoveryWorkflowId(channel);
  await startChildOnce(channelRecovery, {
    workflowId,
    args: [{ channel }],
    staticSummary: `${channel} recovery: one summary of the alerts it missed`,
  });
  await getExternalWorkflowHandle(workflowId).signal(missedAlert, {
    title: alert.title.slice(0, 1_000),
    severity: alert.severity,
    at: new Date().toISOString(),
  });
}
