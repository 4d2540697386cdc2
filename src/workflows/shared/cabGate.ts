// A high-risk change proceeds only with an approved CAB decision. While the decision is pending
// the gate reminds every `remindEvery` (daily by default) and escalates once at the deadline, all
// on durable timers. Workflows with their own timing loop (certificateRenewal) ask `due()` and add
// `nextAt()` to their timer; others (e.g. a Salesforce concurrency change) await `awaitCabApproval`.
import { condition } from '@temporalio/workflow';

export type CabDecision = 'pending' | 'approved' | 'rejected';

export interface CabGateOptions {
  /** When the change request was raised (ms). */
  requestedAt: number;
  remindEveryMs: number;
  /** When a still-pending decision is escalated (ms). */
  deadlineAt: number;
}

export class CabGate {
  reminders = 0;
  escalated = false;
  private lastReminderAt: number;

  constructor(
    readonly options: CabGateOptions,
    readonly decision: () => CabDecision,
  ) {
    this.lastReminderAt = options.requestedAt;
  }

  get approved(): boolean {
    return this.decision() === 'approved';
  }

  /** The next reminder or the deadline while pending; undefined once decided. */
  nextAt(): { what: 'remind CAB' | 'escalate CAB'; at: number } | undefined {
    if (this.decision() !== 'pending') return undefined;
    const remindAt = this.lastReminderAt + this.options.remindEveryMs;
    if (!this.escalated && this.options.deadlineAt <= remindAt)
      return { what: 'escalate CAB', at: this.options.deadlineAt };
    return { what: 'remind CAB', at: remindAt };
  }

  /** What is due now, marked as done: the caller sends it. */
  due(now: number): 'remind' | 'escalate' | undefined {
    const next = this.nextAt();
    if (!next || next.at > now) return undefined;
    this.lastReminderAt = now; // an escalation counts as that day's reminder
    if (next.what === 'escalate CAB') {
      this.escalated = true;
      return 'escalate';
    }
    this.reminders++;
    return 'remind';
  }
}

/** Waits for the decision, reminding and escalating on the way; resolves approved or rejected. */
export async function awaitCabApproval(
  gate: CabGate,
  hooks: { remind: (count: number) => Promise<void>; escalate: () => Promise<void> },
): Promise<Exclude<CabDecision, 'pending'>> {
  for (;;) {
    const decision = gate.decision();
    if (decision !== 'pending') return decision;
    const now = Date.now();
    const due = gate.due(now);
    if (due === 'remind') await hooks.remind(gate.reminders);
    else if (due === 'escalate') await hooks.escalate();
    else await condition(() => gate.decision() !== 'pending', Math.max(1, gate.nextAt()!.at - now));
  }
}
