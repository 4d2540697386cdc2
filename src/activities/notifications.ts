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
import { actionLinksFor, type ActionLinkSettings } from '../actionLinks';
import type { SlackClient } from '../vendors/slack';
import type { TeamsClient } from '../vendors/teams';
import { vendorCall } from './shared/failures';

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
  /** Slack channels of audiences other than the operators (an alert's `audience`). */
  slackAudiences?: Partial<Record<NonNullable<Alert['audience']>, string>>;
  teams?: { client: TeamsClient; teamId: string; channelId: string };
  /** Teams has no signed callbacks here: its buttons are action links to the ingress. */
  actionLinks?: ActionLinkSettings;
}

/**
 * One message per event: the id of this activity (the same on every attempt) and, on a retry, the
 * earlier post's id if the channel already holds it. A channel that cannot tell (no read scope)
 * answers undefined and the alert is posted.
 */
async function thisEvent(
  channel: ChannelName,
  find: (eventId: string) => Promise<string | undefined>,
): Promise<{ eventId: string; postedAs?: string }> {
  const { workflowExecution: run, activityId, attempt } = Context.current().info;
  const eventId = `${run?.workflowId}/${run?.runId}/${activityId}`;
  if (attempt === 1) return { eventId };
  const postedAs = await find(eventId).catch((err: unknown) => {
    log.warn(`could not check ${channel} for an earlier post`, { error: String(err) });
    return undefined;
  });
  return { eventId, postedAs };
}

export function createNotificationActivities(deps: NotificationDeps) {
  const shown = (alert: Alert) => withRunLink(alert, deps.uiUrl ?? DEFAULT_TEMPORAL_UI_URL);
  return {
    async notifySlack(raw: Alert): Promise<Delivery> {
      const alert = shown(raw);
      if (!deps.slack) return { channel: 'slack', status: 'skipped' };
      const { client } = deps.slack;
      const channel = (alert.audience && deps.slackAudiences?.[alert.audience]) ?? deps.slack.channel;
      const { eventId, postedAs } = await thisEvent('slack', (id) => client.findEvent(channel, id));
      if (postedAs) return { channel: 'slack', status: 'sent', messageId: postedAs };
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
      const { eventId, postedAs } = await thisEvent('teams', (id) => client.findEvent(teamId, channelId, id));
      if (postedAs) return { channel: 'teams', status: 'sent', messageId: postedAs };
      const links = actionLinksFor(deps.actionLinks, alert.actions, `teams:${channelId}`);
      const posted = await vendorCall(
        'teams',
        'channelMessage.post',
        () => client.postCard(teamId, channelId, alertText(alert), alertAdaptiveCard(alert, links), eventId),
        { audit: `${teamId}/${channelId}` },
      );
      log.info('alert posted to Teams', { title: alert.title, id: posted.id });
      return { channel: 'teams', status: 'sent', messageId: posted.id };
    },
  };
}
