// Notification activities: one per channel, so a failing channel retries on its own and never
// holds back the other. A channel that is not configured reports `skipped` instead of failing.
import { Context, log } from '@temporalio/activity';
import {
  alertAdaptiveCard,
  alertSlackBlocks,
  alertText,
  withRunLink,
  DEFAULT_TEMPORAL_UI_URL,
  type Alert,
} from '../domain/alert';
import type { SlackClient } from '../vendors/slack';
import type { TeamsClient } from '../vendors/teams';
import { vendorCall } from './failures';

export type ChannelName = 'slack' | 'teams';

export interface Delivery {
  channel: ChannelName;
  status: 'sent' | 'skipped';
  /** Slack message ts or Teams message id. */
  messageId?: string;
}

export interface NotificationDeps {
  /** TEMPORAL_UI_URL: alerts link to their run there. */
  uiUrl?: string;
  slack?: { client: SlackClient; channel: string };
  teams?: { client: TeamsClient; teamId: string; channelId: string };
}

export function createNotificationActivities(deps: NotificationDeps) {
  const shown = (alert: Alert) => withRunLink(alert, deps.uiUrl ?? DEFAULT_TEMPORAL_UI_URL);
  return {
    async notifySlack(raw: Alert): Promise<Delivery> {
      const alert = shown(raw);
      if (!deps.slack) return { channel: 'slack', status: 'skipped' };
      const { client, channel } = deps.slack;
      // One message per event: the activity's own id, the same on every attempt.
      const { workflowExecution: run, activityId, attempt } = Context.current().info;
      const eventId = `${run?.workflowId}/${run?.runId}/${activityId}`;
      if (attempt > 1) {
        // Without the history scope (or the channel's id) this check cannot tell: post anyway.
        const ts = await client.findEvent(channel, eventId).catch((err: unknown) => {
          log.warn('could not check Slack for an earlier post', { error: String(err) });
          return undefined;
        });
        if (ts) return { channel: 'slack', status: 'sent', messageId: ts };
      }
      const posted = await vendorCall(
        'slack',
        'chat.postMessage',
        () => client.postMessage(channel, alertText(alert), alertSlackBlocks(alert), eventId),
        { audit: channel },
      );
      log.info('alert posted to Slack', { title: alert.title, ts: posted.ts });
      return { channel: 'slack', status: 'sent', messageId: posted.ts };
    },

    async notifyTeams(raw: Alert): Promise<Delivery> {
      const alert = shown(raw);
      if (!deps.teams) return { channel: 'teams', status: 'skipped' };
      const { client, teamId, channelId } = deps.teams;
      const posted = await vendorCall(
        'teams',
        'channelMessage.post',
        () => client.postCard(teamId, channelId, alertText(alert), alertAdaptiveCard(alert)),
        { audit: `${teamId}/${channelId}` },
      );
      log.info('alert posted to Teams', { title: alert.title, id: posted.id });
      return { channel: 'teams', status: 'sent', messageId: posted.id };
    },
  };
}
