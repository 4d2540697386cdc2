// Recorded state of the Zoom simulator: past meetings with their participant report (ready only
// after a delay on the simulator's test clock), access tokens, the daily limit of the report
// APIs, and the webhook subscription with its deliveries and scheduled retries.

export interface SimParticipant {
  name: string;
  user_email: string;
  /** Seconds in the meeting for this join. */
  duration: number;
  join_time?: string;
  leave_time?: string;
}

export interface SimMeeting {
  uuid: string;
  id: string;
  kind: 'meeting' | 'webinar';
  topic: string;
  start_time: string;
  end_time: string;
  participants: SimParticipant[];
  /** Approved registrants' e-mail addresses; absent = registration not enabled. */
  registrants?: string[];
  /** Test-clock time from which the participant report is served. */
  reportReadyAt: number;
}

export interface Delivery {
  id: number;
  event: string;
  /** 1 = first delivery, 2..4 = Zoom's retries (+5, +20, +60 minutes). */
  attempt: number;
  /** Test-clock time of the attempt. */
  at: string;
  /** `not_validated`: not sent, the subscription's URL validation failed or never happened. */
  status: number | 'timeout' | 'error' | 'not_validated';
}

export interface WebhookSubscription {
  url: string;
  secret: string;
  /** The last URL validation passed; events go out only then (as Zoom's do). */
  validated: boolean;
  /** Test-clock time of the last validation that passed. */
  validatedAt?: number;
  /** Test-clock time of the next 72-hour re-validation (marks counted from the subscription). */
  nextValidationAt: number;
}

export interface PendingRetry {
  body: string;
  event: string;
  attempt: number;
  dueAt: number;
}

export interface ZoomSimState {
  /** Test clock: real time plus this offset (advanced through the admin API). */
  clockOffsetMs: number;
  tokens: Map<string, number>;
  meetings: Map<string, SimMeeting>;
  /** Report API calls left today; absent = no daily limit. */
  dailyReportCallsLeft?: number;
  webhook?: WebhookSubscription;
  deliveries: Delivery[];
  retries: PendingRetry[];
  /** How long the sender waits for an answer (Zoom: 3 s); tests shorten it. */
  ackDeadlineMs: number;
}

export const ZOOM_ACK_DEADLINE_MS = 3_000;

export function createZoomState(options: { ackDeadlineMs?: number } = {}): ZoomSimState {
  return {
    clockOffsetMs: 0,
    tokens: new Map(),
    meetings: new Map(),
    deliveries: [],
    retries: [],
    ackDeadlineMs: options.ackDeadlineMs ?? ZOOM_ACK_DEADLINE_MS,
  };
}

export function clockNow(state: ZoomSimState): number {
  return Date.now() + state.clockOffsetMs;
}
