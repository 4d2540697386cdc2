// A Slack Events API delivery as the ingress hands it to Temporal: ids and kinds only. Message text
// and user profiles stay in Slack (no personal data in history); a handler reads what it needs.

export interface SlackEventRef {
  teamId: string;
  /** Slack's `event_id` (`Ev…`): one per event, the same on every retried delivery. */
  eventId: string;
  /** The inner event's type (`app_mention`, `message`, …). */
  type: string;
  channel?: string;
  /** The Slack user id that caused it (`U…`), never a name. */
  user?: string;
  eventTs?: string;
}

/** One workflow per event: its id is the dedupe key, so a retried delivery finds it again. */
export function slackEventWorkflowId(teamId: string, eventId: string): string {
  return `slack-event-${teamId}-${eventId}`;
}
