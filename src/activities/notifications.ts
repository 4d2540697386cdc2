// Notification activities: one per channel, so a failing channel retries on its own and never
// holds back the other. A channel that is not configured reports `skipped` instead of failing.
import { log } from '@temporalio/activity';
import { actionLinksFor, type ActionLinkSettings } from '../actionLinks';
import { alertAdaptiveCard, alertSlackBlocks, alertText, type Alert } from '../domain/alert';
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
  slack?: { client: SlackClient; channel: string };
  teams?: { client: TeamsClient; teamId: string; channelId: string };
  /** Teams has no signed callbacks here: its buttons are action links to the ingress. */
  actionLinks?: ActionLinkSettings;
}

export function createNotificationActivities(deps: NotificationDeps) {
  return {
    async notifySlack(alert: Alert): Promise<Delivery> {
      if (!deps.slack) return { channel: 'slack', status: 'skipped' };
      const { client, channel } = deps.slack;
      const posted = await vendorCall(
        'slack',
        'chat.postMessage',
        () => client.postMessage(channel, alertText(alert), alertSlackBlocks(alert)),
        { audit: channel },
      );
      log.info('alert posted to Slack', { title: alert.title, ts: posted.ts });
      return { channel: 'slack', status: 'sent', messageId: posted.ts };
    },

    async notifyTeams(alert: Alert): Promise<Delivery> {
      if (!deps.teams) return { channel: 'teams', status: 'skipped' };
      const { client, teamId, channelId } = deps.teams;
      const links = actionLinksFor(deps.actionLinks, alert.actions, `teams:${channelId}`);
      const posted = await vendorCall(
        'teams',
        'channelMessage.post',
        () => client.postCard(teamId, channelId, alertText(alert), alertAdaptiveCard(alert, links)),
        { audit: `${teamId}/${channelId}` },
      );
      log.info('alert posted to Teams', { title: alert.title, id: posted.id });
      return { channel: 'teams', status: 'sent', messageId: posted.id };
    },
  };
}
