// SES feedback rules: which bounces and complaints suppress an address, and the rolling bounce and
// complaint rates per configuration set that pause non-critical mail before SES's own review (5%
// bounces, 0.1% complaints) and pause (10%, 0.5%). Addresses appear here only as keys (a hash made
// in the worker or the ingress) and a masked hint, so no address enters a workflow history.
// Pure and deterministic: safe in the workflow bundle.

export type FeedbackKind = 'permanent-bounce' | 'transient-bounce' | 'complaint';

/** One recipient's bounce or complaint, as the ingress read it from an SNS notification. */
export interface FeedbackEvent {
  /** The SNS MessageId: one notification is processed once. */
  messageId: string;
  kind: FeedbackKind;
  /** sha256 of the lower-cased address (see vendors/sesAddress.ts). */
  addressKey: string;
  /** The address masked for people: `b…@example.com`. */
  hint: string;
  configurationSet: string;
  at: string;
}

export interface Suppression {
  addressKey: string;
  hint: string;
  reason: FeedbackKind | 'repeated-transient-bounce';
  since: string;
}

/** Transient bounces per address not yet suppressed (soft bounces count, repeated ones suppress). */
export interface TransientCount {
  addressKey: string;
  hint: string;
  count: number;
  last: string;
}

export interface DayCounts {
  day: string;
  sent: number;
  bounces: number;
  complaints: number;
}

export interface ReputationThresholds {
  bounceWarn: number;
  bouncePause: number;
  complaintWarn: number;
  complaintPause: number;
  /** Below this many sends in the window rates are not judged (one bounce in three is no signal). */
  minSends: number;
  windowDays: number;
  /** Transient bounces of one address that suppress it. */
  transientLimit: number;
}

export const DEFAULT_THRESHOLDS: ReputationThresholds = {
  bounceWarn: 0.02,
  bouncePause: 0.04,
  complaintWarn: 0.0005,
  complaintPause: 0.0008,
  minSends: 20,
  windowDays: 7,
  transientLimit: 3,
};

export type ReputationLevel = 'ok' | 'warn' | 'paused';

export interface Reputation {
  configurationSet: string;
  sent: number;
  bounces: number;
  complaints: number;
  bounceRate: number;
  complaintRate: number;
  level: ReputationLevel;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds to today's bucket and drops buckets that left the window. */
export function countInto(
  days: DayCounts[],
  nowMs: number,
  add: Partial<Omit<DayCounts, 'day'>>,
  windowDays: number,
): DayCounts[] {
  const today = dayOf(nowMs);
  const oldest = dayOf(nowMs - (windowDays - 1) * DAY_MS);
  const kept = days.filter((d) => d.day >= oldest);
  let bucket = kept.find((d) => d.day === today);
  if (!bucket) {
    bucket = { day: today, sent: 0, bounces: 0, complaints: 0 };
    kept.push(bucket);
  }
  bucket.sent += add.sent ?? 0;
  bucket.bounces += add.bounces ?? 0;
  bucket.complaints += add.complaints ?? 0;
  return kept;
}

export function reputationOf(
  configurationSet: string,
  days: DayCounts[],
  nowMs: number,
  t: ReputationThresholds,
): Reputation {
  const oldest = dayOf(nowMs - (t.windowDays - 1) * DAY_MS);
  const inWindow = days.filter((d) => d.day >= oldest);
  const sent = inWindow.reduce((n, d) => n + d.sent, 0);
  const bounces = inWindow.reduce((n, d) => n + d.bounces, 0);
  const complaints = inWindow.reduce((n, d) => n + d.complaints, 0);
  const bounceRate = sent > 0 ? bounces / sent : 0;
  const complaintRate = sent > 0 ? complaints / sent : 0;
  let level: ReputationLevel = 'ok';
  if (sent >= t.minSends) {
    if (bounceRate >= t.bouncePause || complaintRate >= t.complaintPause) level = 'paused';
    else if (bounceRate >= t.bounceWarn || complaintRate >= t.complaintWarn) level = 'warn';
  }
  return { configurationSet, sent, bounces, complaints, bounceRate, complaintRate, level };
}

/** A rate as people read it: 0.0434 → "4.3%". */
export function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/**
 * What one event does to the address: a permanent bounce or a complaint suppresses it at once; a
 * transient bounce counts and suppresses at the limit. Returns the new suppression, if any.
 */
export function applyFeedback(
  suppressed: Map<string, Suppression>,
  transient: Map<string, TransientCount>,
  e: FeedbackEvent,
  transientLimit: number,
): Suppression | undefined {
  if (suppressed.has(e.addressKey)) return undefined;
  if (e.kind === 'transient-bounce') {
    const prior = transient.get(e.addressKey);
    const count = (prior?.count ?? 0) + 1;
    if (count < transientLimit) {
      transient.set(e.addressKey, { addressKey: e.addressKey, hint: e.hint, count, last: e.at });
      return undefined;
    }
    transient.delete(e.addressKey);
    return add(suppressed, { ...e, kind: 'repeated-transient-bounce' });
  }
  transient.delete(e.addressKey);
  return add(suppressed, e);
}

function add(
  suppressed: Map<string, Suppression>,
  e: Pick<FeedbackEvent, 'addressKey' | 'hint' | 'at'> & { kind: Suppression['reason'] },
): Suppression {
  const s: Suppression = { addressKey: e.addressKey, hint: e.hint, reason: e.kind, since: e.at };
  suppressed.set(e.addressKey, s);
  return s;
}

/** The one feedback list's workflow id, and its messages' names (the ingress, activities and CLI use them). */
export const SES_FEEDBACK_WORKFLOW_ID = 'ses-feedback';
export const SES_FEEDBACK = {
  workflowType: 'sesFeedback',
  feedback: 'feedback',
  sent: 'sent',
  lift: 'lift',
  suppressed: 'suppressed',
  suppressions: 'suppressions',
  reputation: 'reputation',
} as const;
