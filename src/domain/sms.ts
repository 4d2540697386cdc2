// SMS pages and the Twilio spend guard: the rules both the workflows and the worker apply. Pure:
// message states move only forward, so a retried or late status callback changes nothing twice.
import type { Alert, Severity } from './alert';

/** Twilio's message states, in the order a message moves through them. */
const STATUS_RANK: Record<string, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  read: 5,
};

/** A message to one on-call role: its role and Twilio sid, never the number. */
export interface PagedMessage {
  role: string;
  sid?: string;
  status: string;
  /** Twilio's error code (21211 invalid number, 21610 unsubscribed, 30003 unreachable…). */
  errorCode?: number;
}

export interface SmsStatusUpdate {
  sid: string;
  status: string;
  errorCode?: number;
}

export function isFinal(status: string): boolean {
  return (STATUS_RANK[status] ?? -1) >= 4;
}

/** Reached the phone: delivered (or read, which implies it). */
export function reachedPhone(message: PagedMessage): boolean {
  return message.status === 'delivered' || message.status === 'read';
}

/**
 * Applies a status callback to the page's messages: only a known sid, only forward, never past a
 * final state. Returns whether anything changed (a repeated callback changes nothing).
 */
export function applyStatus(messages: PagedMessage[], update: SmsStatusUpdate): boolean {
  const message = messages.find((m) => m.sid === update.sid);
  if (!message || isFinal(message.status)) return false;
  if ((STATUS_RANK[update.status] ?? -1) <= (STATUS_RANK[message.status] ?? -1)) return false;
  message.status = update.status;
  if (update.errorCode !== undefined) message.errorCode = update.errorCode;
  return true;
}

/** One line per role as the page's details show it: `platform-oncall: undelivered (error 30003)`. */
export function roleStatusLine(m: PagedMessage): string {
  const code = m.errorCode !== undefined ? ` (error ${m.errorCode})` : '';
  return `${m.role}: ${m.status}${code}${m.sid ? ` · ${m.sid}` : ''}`;
}

/**
 * The page's current details (Temporal markdown, shown in the Web UI): what it pages, its outcome
 * so far and each role's last status, so the run itself is the record of the SMS.
 */
export function smsPageDetails(
  title: string,
  outcome: string,
  messages: readonly PagedMessage[],
  extra: { reason?: string; alertRun?: string } = {},
): string {
  const lines = [
    `SMS page to the on-call roles: ${title}`,
    ...(extra.alertRun ? [`Alert of run \`${extra.alertRun}\``] : []),
    `Outcome: **${outcome}**${extra.reason ? ` (${extra.reason})` : ''}`,
    ...messages.map((m) => `- ${roleStatusLine(m)}`),
  ];
  return lines.join('\n');
}

/**
 * The severity, title and the start of the summary in 280 characters: with the page's ref tag two
 * GSM-7 segments (306). The cut ends in "..." because "…" is not GSM-7 and would make Twilio send
 * the whole message as UCS-2, 70 characters a segment.
 */
export function smsText(alert: Pick<Alert, 'severity' | 'title' | 'summary'>, max = 280): string {
  const text = `[${alert.severity.toUpperCase()}] ${alert.title}: ${alert.summary}`.replace(/\s+/g, ' ');
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export type SpendLevel = 'ok' | 'warning' | 'capped';

export interface SpendLimits {
  /** Warn once today's SMS spend reaches this (the account's currency). */
  warnAt?: number;
  /** At or above this, only critical SMS go out until the day ends (UTC, as Twilio's usage day). */
  cap?: number;
}

export function spendLevel(spent: number, limits: SpendLimits): SpendLevel {
  if (limits.cap !== undefined && spent >= limits.cap) return 'capped';
  if (limits.warnAt !== undefined && spent >= limits.warnAt) return 'warning';
  return 'ok';
}

export const SPEND_RANK: Record<SpendLevel, number> = { ok: 0, warning: 1, capped: 2 };

/** Over the cap only critical alerts still page. */
export function mayPage(severity: Severity, level: SpendLevel): boolean {
  return severity === 'critical' || level !== 'capped';
}

/** SMS pages go for these severities; the worker's TWILIO_SMS_SEVERITIES picks among them. */
export const PAGEABLE: readonly Severity[] = ['critical', 'warning'];

/** The page's workflow id prefix: the status-callback route signals only such runs. */
export const SMS_PAGE_PREFIX = 'sms-page-';
