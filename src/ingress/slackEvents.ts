// Slack's Events API (POST /slack/events, JSON): the URL check answers its challenge; each
// event_callback becomes one `slackEvent` workflow by signalWithStart, its id from Slack's
// event_id, so a retried delivery (X-Slack-Retry-Num) is a duplicate and starts nothing.
import { slackEventWorkflowId, type SlackEventRef } from '../domain/slackEvent';
import type { IngressOutcome } from './metrics';
import type { TemporalGateway } from './temporal';

interface EventsEnvelope {
  type?: string;
  challenge?: string;
  team_id?: string;
  event_id?: string;
  event?: { type?: string; channel?: string; user?: string; event_ts?: string };
}

export type EventsAnswer = { outcome: IngressOutcome; body?: object };

export async function handleSlackEvents(raw: Buffer, temporal: TemporalGateway): Promise<EventsAnswer> {
  let envelope: EventsEnvelope;
  try {
    envelope = JSON.parse(raw.toString('utf8')) as EventsEnvelope;
  } catch {
    return { outcome: 'invalid' };
  }
  if (envelope.type === 'url_verification' && typeof envelope.challenge === 'string')
    return { outcome: 'accepted', body: { challenge: envelope.challenge } };
  const { team_id: teamId, event_id: eventId, event } = envelope;
  if (envelope.type !== 'event_callback' || !teamId || !eventId || typeof event?.type !== 'string')
    return { outcome: 'invalid' };
  const ref: SlackEventRef = {
    teamId,
    eventId,
    type: event.type,
    ...(typeof event.channel === 'string' && { channel: event.channel }),
    ...(typeof event.user === 'string' && { user: event.user }),
    ...(typeof event.event_ts === 'string' && { eventTs: event.event_ts }),
  };
  const started = await temporal.signalWithStart({
    workflowType: 'slackEvent',
    workflowId: slackEventWorkflowId(teamId, eventId),
    args: { teamId, eventId },
    signal: 'event',
    signalArgs: ref,
    connector: 'slack',
  });
  return { outcome: started === 'started' ? 'accepted' : 'duplicate' };
}
