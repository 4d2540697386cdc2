// slackEvent: one run per Slack Events API event, started by the ingress with signalWithStart
// (workflow id from Slack's event_id, so a retried delivery never starts a second run). The event
// arrives as the `event` signal; the first one counts, a re-sent one is ignored. Today it records
// the event (audit line, small result); handlers for particular event types hang off here.
import { ApplicationFailure, condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { SlackEventRef } from '../domain/slackEvent';
import { slackEventInput } from '../domain/inputs/slack';
import { auditEvent } from './shared/audit';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export interface SlackEventInput {
  teamId: string;
  eventId: string;
}

export const slackEventSignal = defineSignal<[SlackEventRef]>('event');

export async function slackEvent(raw: SlackEventInput): Promise<SlackEventRef> {
  const input = beginRun(slackEventInput, raw, (i) => ({
    connector: 'slack',
    details: `Slack event ${i.eventId} of team ${i.teamId}, delivered through the ingress.`,
  }));
  let event: SlackEventRef | undefined;
  setHandler(slackEventSignal, (e) => {
    if (e?.eventId === input.eventId) event ??= e;
  });
  dropUnknownSignals();
  // The signal comes with the start (signalWithStart); the timeout only guards a bare manual start.
  if (!(await condition(() => event !== undefined, '1 minute')))
    throw ApplicationFailure.nonRetryable(`event ${input.eventId} never arrived`, 'MissingEvent');
  auditEvent({
    actor: event!.user ? `slack:${event!.user}` : undefined,
    connector: 'slack',
    action: `event:${event!.type}`,
    target: event!.channel ?? input.teamId,
    outcome: 'received',
  });
  return event!;
}
