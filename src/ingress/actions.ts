// What each one-click answer does: the update it runs on its workflow, that update's argument, and
// the line that replaces the alert once it is done. Updates (not signals) so a person gets the
// workflow's own validated answer: done, or refused with the reason.
import type { AlertActionKind } from '../domain/alertActions';

export interface Actor {
  /** The vendor's user id (Slack `U…`) or the e-mail a link was sent to. */
  id: string;
  /** Display name shown in the outcome line and passed as `who`. */
  name: string;
}

export interface ActionPlan {
  update: string;
  args: unknown;
  /** Only members of the CAB user group may take it. */
  cabOnly: boolean;
  /** "Acknowledged by Dana, 14:02 UTC". */
  outcome: string;
}

const SNOOZE_MS = 4 * 60 * 60 * 1000;

export function planAction(kind: AlertActionKind, actor: Actor, nowMs: number, target?: string): ActionPlan {
  const who = actor.name;
  const at = `${new Date(nowMs).toISOString().slice(11, 16)} UTC`;
  const done = (verb: string, cabOnly = false) => ({ cabOnly, outcome: `${verb} by ${who}, ${at}` });
  switch (kind) {
    case 'renewal.acknowledge':
      return { update: 'acknowledge', args: { who }, ...done('Acknowledged') };
    case 'renewal.escalateNow':
      return { update: 'escalateNow', args: { who, reason: 'escalated from chat' }, ...done('Escalated') };
    case 'renewal.snooze': {
      const until = new Date(nowMs + SNOOZE_MS).toISOString();
      return { update: 'snooze', args: { who, until }, ...done(`Snoozed until ${until.slice(11, 16)} UTC`) };
    }
    case 'renewal.cabApprove':
      return { update: 'cabDecision', args: { approved: true, who }, ...done('CAB approved', true) };
    case 'renewal.cabReject':
      return { update: 'cabDecision', args: { approved: false, who }, ...done('CAB rejected', true) };
    case 'workday.driftProceed':
      return { update: 'driftDecision', args: { who, action: 'proceed' }, ...done('Import proceeds') };
    case 'workday.driftAbort':
      return { update: 'driftDecision', args: { who, action: 'abort' }, ...done('Import aborted') };
    case 'dlq.redrive':
      return { update: 'redrive', args: { filter: { connector: target } }, ...done('Redrive started') };
  }
}
