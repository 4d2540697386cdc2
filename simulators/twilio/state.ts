// The Twilio simulator's account: messages with Twilio's status machine on a test clock, each
// number's fate (delivered, undelivered, failed, or refused at create), and usage outside our
// messages (the account's other SMS, e.g. MFA codes). Written from Twilio's public API docs.
import { randomBytes } from 'node:crypto';

export type Fate = 'delivered' | 'undelivered' | 'failed';

export interface SimMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  messagingServiceSid: string | null;
  status: string;
  statusCallback?: string;
  /** Test-clock second the message was created at. */
  createdAtClock: number;
  dateCreated: Date;
  dateSent?: Date;
  dateUpdated: Date;
  numSegments: number;
  price: string | null;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface CallbackRecord {
  sid: string;
  status: string;
  url: string;
  httpStatus: number | string;
}

export interface TwilioState {
  /** Test clock, seconds since start; moved by POST /__admin/clock (or every second in real-time mode). */
  clock: number;
  messages: SimMessage[];
  /** Per number: what becomes of messages to it (default delivered). */
  fates: Map<string, Fate>;
  /** Numbers Twilio refuses at create: the code (21211 invalid, 21610 unsubscribed). */
  refused: Map<string, number>;
  /** Usage of the account beyond the messages here. */
  extraUsage: { count: number; price: number };
  callbacks: CallbackRecord[];
}

/** Twilio's magic test numbers: invalid (21211) and opted out (21610). */
export function createTwilioState(): TwilioState {
  return {
    clock: 0,
    messages: [],
    fates: new Map(),
    refused: new Map([
      ['+15005550001', 21211],
      ['+15005550004', 21610],
    ]),
    extraUsage: { count: 0, price: 0 },
    callbacks: [],
  };
}

export const PRICE_PER_SEGMENT = 0.0079;

/** Seconds after creation each status is reached; the last one is the number's fate. */
const TIMELINE: { at: number; status: string }[] = [
  { at: 1, status: 'queued' },
  { at: 2, status: 'sending' },
  { at: 3, status: 'sent' },
];
const FATE_AT = 5;

export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** The statuses `message` passes through between its current status and the clock `now`. */
export function dueStatuses(message: SimMessage, fate: Fate, now: number): string[] {
  const elapsed = now - message.createdAtClock;
  const path = [...TIMELINE.filter((t) => t.at <= elapsed).map((t) => t.status)];
  if (elapsed >= FATE_AT) path.push(fate);
  const current = path.indexOf(message.status);
  if (isFinalStatus(message.status)) return [];
  return current === -1 ? path : path.slice(current + 1);
}

export function isFinalStatus(status: string): boolean {
  return ['delivered', 'undelivered', 'failed', 'canceled', 'read'].includes(status);
}

export const FATE_ERRORS: Record<Fate, { code: number; message: string } | null> = {
  delivered: null,
  undelivered: { code: 30003, message: 'Unreachable destination handset' },
  failed: { code: 30008, message: 'Unknown error' },
};
