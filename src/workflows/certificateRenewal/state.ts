// State of one certificate renewal and the validation of every human action against it.
// Kept apart from the workflow's timing loop so each piece reads on its own.
import { boundSnooze, daysLeft, ladderSchedule, nextStep, type LadderStep } from '../../domain/escalation';
import type { CancelArgs, RenewalAction, RenewalActionName } from './messages';

export type RenewalStage = 'awaiting-cab' | 'awaiting-vendor' | 'held' | 'renewed' | 'cancelled';

export interface ActionLogEntry {
  at: string;
  who: string;
  action: string;
  detail: string;
}

export interface RenewalStatus {
  host: string;
  stage: RenewalStage;
  expiresAt: string;
  daysLeft: number;
  level: number;
  levelName: string;
  acknowledged: boolean;
  snoozedUntil?: string;
  cab: 'pending' | 'approved' | 'rejected';
  next?: { what: string; at: string };
  unreachable?: { since: string; error: string };
  /** The newest actions, oldest first; `olderActions` counts those no longer kept. */
  actions: ActionLogEntry[];
  olderActions: number;
}

/** Bounds the `status` query's reply and the workflow's memory, whatever people send. */
const MAX_ACTIONS = 200;

/**
 * The ServiceNow sync signals `cabDecision` with the change request's approval; people send
 * `{ approved, who }`. Both arrive as the same action.
 */
export function normalizeActionArgs(name: RenewalActionName, args: unknown): unknown {
  if (name !== 'cabDecision' || !args || typeof args !== 'object' || !('approval' in args)) return args;
  const fromServicenow = args as { approval: string; changeNumber?: string };
  return {
    approved: fromServicenow.approval === 'approved',
    who: `ServiceNow CAB (${fromServicenow.changeNumber ?? 'change request'})`,
  };
}

export class RenewalState {
  stage: RenewalStage = 'awaiting-cab';
  cab: RenewalStatus['cab'] = 'pending';
  level = 0;
  acknowledged = false;
  snoozedUntil?: number;
  verifyRequested = false;
  escalateRequested?: { who: string; reason: string };
  cancelRequested?: CancelArgs;
  cabChanged = false;
  /** Since when the endpoint cannot be probed, and why; cleared when a probe gets through. */
  unreachable?: { since: string; error: string };
  readonly actions: ActionLogEntry[] = [];
  /** Entries dropped from the front of the log: it keeps the newest MAX_ACTIONS. */
  olderActions = 0;
  readonly schedule: { step: LadderStep; at: number }[];

  constructor(
    readonly host: string,
    readonly expiresAt: number,
    ladder: LadderStep[],
  ) {
    this.schedule = ladderSchedule(expiresAt, ladder);
  }

  get done(): boolean {
    return this.stage === 'renewed' || this.stage === 'cancelled';
  }

  nextStep() {
    return nextStep(this.schedule, this.level);
  }

  record(who: string, action: string, detail: string): void {
    this.actions.push({ at: new Date().toISOString(), who, action, detail });
    if (this.actions.length > MAX_ACTIONS) this.olderActions += this.actions.splice(0, 1).length;
  }

  /** Throws when an action is not acceptable now; returns what it will do. */
  validate(action: RenewalAction): string {
    if (this.done) throw new Error(`the renewal is already ${this.stage}`);
    if (action.args.who.trim() === '') throw new Error('`who` is required: the person acting');
    switch (action.name) {
      case 'acknowledge':
        if (this.level === 0) throw new Error('nothing to acknowledge yet: no escalation has fired');
        if (this.acknowledged) throw new Error(`level ${this.level} is already acknowledged`);
        return `acknowledged level ${this.level}; its reminders stop`;
      case 'escalateNow':
        if (!this.nextStep()) throw new Error('already at the top of the ladder');
        if (!action.args.reason) throw new Error('`reason` is required');
        return `escalating to ${this.nextStep()!.step.name} now`;
      case 'snooze': {
        const until = Date.parse(action.args.until);
        if (Number.isNaN(until)) throw new Error('`until` must be an ISO date-time');
        if (until <= Date.now()) throw new Error('`until` must be in the future');
        const bounded = boundSnooze(until, this.nextStep()?.at);
        return `reminders snoozed until ${new Date(bounded).toISOString()}${bounded < until ? ' (bounded by the next ladder step)' : ''}`;
      }
      case 'renewed':
        return 'verifying the served certificate now';
      case 'cabDecision':
        return action.args.approved
          ? 'CAB approved: the vendor may renew'
          : 'CAB rejected: renewal held and escalated';
      case 'cancel':
        if (!action.args.reason) throw new Error('`reason` is required');
        return 'cancelling the renewal';
    }
  }

  /** Applies a validated action; the workflow loop performs its side effects. */
  apply(action: RenewalAction, detail: string): void {
    const who = action.args.who;
    let note: string | undefined;
    switch (action.name) {
      case 'acknowledge':
        this.acknowledged = true;
        note = action.args.note;
        break;
      case 'escalateNow':
        this.escalateRequested = { who, reason: action.args.reason };
        note = action.args.reason;
        break;
      case 'snooze':
        this.snoozedUntil = boundSnooze(Date.parse(action.args.until), this.nextStep()?.at);
        break;
      case 'renewed':
        this.verifyRequested = true;
        break;
      case 'cabDecision': {
        const approved = action.args.approved;
        note = action.args.note;
        this.cab = approved ? 'approved' : 'rejected';
        this.stage = approved ? 'awaiting-vendor' : 'held';
        this.cabChanged = true;
        if (!approved && this.nextStep()) this.escalateRequested = { who, reason: 'CAB rejected the change' };
        break;
      }
      case 'cancel':
        this.cancelRequested = action.args;
        note = action.args.reason;
        break;
    }
    this.record(who, action.name, note ? `${detail} (${note})` : detail);
  }

  status(next?: { what: string; at: number }): RenewalStatus {
    const current = this.schedule.find((s) => s.step.level === this.level);
    return {
      host: this.host,
      stage: this.stage,
      expiresAt: new Date(this.expiresAt).toISOString(),
      daysLeft: daysLeft(Date.now(), this.expiresAt),
      level: this.level,
      levelName: current?.step.name ?? 'none',
      acknowledged: this.acknowledged,
      snoozedUntil: this.snoozedUntil ? new Date(this.snoozedUntil).toISOString() : undefined,
      cab: this.cab,
      next: next ? { what: next.what, at: new Date(next.at).toISOString() } : undefined,
      unreachable: this.unreachable,
      actions: this.actions,
      olderActions: this.olderActions,
    };
  }
}
