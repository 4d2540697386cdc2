// The certificate-renewal escalation ladder, relative to the certificate's expiry, and the timing
// rules around it (reminders, snooze bounds, how often to probe). Pure: the workflow calls these
// with workflow time, so the same rules replay identically.

const DAY = 86_400_000;
const HOUR = 3_600_000;

export type LadderAction = 'notify' | 'p1-incident' | 'outage';

export interface LadderStep {
  level: number;
  name: string;
  /** Fires this many days before expiry (0 = at expiry). */
  daysBefore: number;
  audience: string;
  action: LadderAction;
}

export const DEFAULT_LADDER: LadderStep[] = [
  {
    level: 1,
    name: 'vendor-success-manager',
    daysBefore: 14,
    audience: "the vendor's success manager",
    action: 'notify',
  },
  {
    level: 2,
    name: 'integrations-lead',
    daysBefore: 7,
    audience: 'the Integrations Lead and on-call',
    action: 'notify',
  },
  { level: 3, name: 'p1-incident', daysBefore: 3, audience: 'on-call (P1 incident)', action: 'p1-incident' },
  { level: 4, name: 'expired', daysBefore: 0, audience: 'everyone: outage', action: 'outage' },
];

/** When each step is due, in ladder order. */
export function ladderSchedule(expiresAt: number, ladder: LadderStep[]): { step: LadderStep; at: number }[] {
  return [...ladder]
    .sort((a, b) => b.daysBefore - a.daysBefore)
    .map((step) => ({ step, at: expiresAt - step.daysBefore * DAY }));
}

/** The first step above `level`, or undefined at the top of the ladder. */
export function nextStep(
  schedule: { step: LadderStep; at: number }[],
  level: number,
): { step: LadderStep; at: number } | undefined {
  return schedule.find((s) => s.step.level > level);
}

/** A snooze never reaches past the next ladder step. */
export function boundSnooze(requested: number, nextStepAt: number | undefined): number {
  return nextStepAt === undefined ? requested : Math.min(requested, nextStepAt);
}

/** Probe daily, hourly within the last three days before expiry. */
export function probeInterval(now: number, expiresAt: number): number {
  return expiresAt - now <= 3 * DAY ? HOUR : DAY;
}

/** Reminders at an unacknowledged level: daily, every 6 hours within the last three days. */
export function reminderInterval(now: number, expiresAt: number): number {
  return expiresAt - now <= 3 * DAY ? 6 * HOUR : DAY;
}

export interface ProbedCertificateFacts {
  trusted: boolean;
  trustError?: string;
  validTo: string;
  fingerprint256: string;
}

/** A renewal counts when the served certificate is trusted for the host and outlives the old one. */
export function renewalVerdict(
  probe: ProbedCertificateFacts,
  oldExpiresAt: number,
): { accepted: true } | { accepted: false; reason: string } {
  if (!probe.trusted)
    return { accepted: false, reason: `certificate not trusted: ${probe.trustError ?? 'unknown'}` };
  if (Date.parse(probe.validTo) <= oldExpiresAt)
    return { accepted: false, reason: `served certificate still expires ${probe.validTo}` };
  return { accepted: true };
}

export function daysLeft(now: number, expiresAt: number): number {
  return Math.floor((expiresAt - now) / DAY);
}
