// Zoom's webhook sender: signs each request (`x-zm-signature: v0=HMAC-SHA256(secret,
// "v0:{ts}:{body}")`, `x-zm-request-timestamp` in seconds), runs the endpoint URL validation when
// the subscription is made and again at every 72-hour mark of its test clock (each mark a clock
// advance passes over), sends events only while the last validation passed (otherwise the event is
// recorded as `not_validated` and dropped), waits 3 seconds (configurable) for a 200/204, and
// otherwise retries at +5, +20 and +60 minutes on the test clock, then drops the event.
import { createHmac, randomBytes } from 'node:crypto';
import { clockNow, type Delivery, type PendingRetry, type ZoomSimState } from './state';
/** Minutes after the first attempt's failure, then after each retry's, as Zoom documents. */
export const RETRY_DELAYS_MINUTES = [5, 20, 60];
export const REVALIDATE_EVERY_MS = 72 * 60 * 60 * 1000;

export interface SendOptions {
  /** Sign with this secret instead of the subscription's (a wrong secret). */
  secret?: string;
  /** Shift the signed timestamp (a stale or future request). */
  timestampSkewSeconds?: number;
  /** Corrupt the signature after signing. */
  badSignature?: boolean;
}

function sign(secret: string, body: string, skewSeconds = 0): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000) + skewSeconds);
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': `v0=${signature}` };
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<{ status: number | 'timeout' | 'error'; text: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Zoom Marketplace/1.0a', ...headers },
      body,
      signal: AbortSignal.timeout(deadlineMs),
    });
    return { status: response.status, text: await response.text() };
  } catch (err) {
    return { status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'error', text: '' };
  }
}

/** The CRC handshake: true when the endpoint answered the plainToken with its HMAC under the secret. */
export async function validateEndpoint(state: ZoomSimState, options: SendOptions = {}): Promise<boolean> {
  const hook = state.webhook;
  if (!hook) throw new Error('no webhook subscription');
  const plainToken = randomBytes(16).toString('base64url');
  const body = JSON.stringify({
    payload: { plainToken },
    event_ts: clockNow(state),
    event: 'endpoint.url_validation',
  });
  const secret = options.secret ?? hook.secret;
  const answer = await post(
    hook.url,
    body,
    sign(secret, body, options.timestampSkewSeconds),
    state.ackDeadlineMs,
  );
  let ok = false;
  if (answer.status === 200) {
    try {
      const parsed = JSON.parse(answer.text) as { plainToken?: string; encryptedToken?: string };
      const expected = createHmac('sha256', hook.secret).update(plainToken).digest('hex');
      ok = parsed.plainToken === plainToken && parsed.encryptedToken === expected;
    } catch {
      ok = false;
    }
  }
  hook.validated = ok;
  if (ok) hook.validatedAt = clockNow(state);
  return ok;
}

/** One delivery attempt; a failure schedules the next retry while any are left. */
async function attempt(
  state: ZoomSimState,
  event: string,
  body: string,
  attemptNo: number,
  options: SendOptions,
): Promise<Delivery['status']> {
  const hook = state.webhook!;
  if (!hook.validated) {
    // Zoom sends nothing to an endpoint that has not passed its URL validation: no retry either.
    state.deliveries.push({
      id: state.deliveries.length + 1,
      event,
      attempt: attemptNo,
      at: new Date(clockNow(state)).toISOString(),
      status: 'not_validated',
    });
    return 'not_validated';
  }
  const headers = sign(options.secret ?? hook.secret, body, options.timestampSkewSeconds);
  if (options.badSignature) headers['x-zm-signature'] = `v0=${'0'.repeat(64)}`;
  const { status } = await post(hook.url, body, headers, state.ackDeadlineMs);
  const now = clockNow(state);
  state.deliveries.push({
    id: state.deliveries.length + 1,
    event,
    attempt: attemptNo,
    at: new Date(now).toISOString(),
    status,
  });
  const acknowledged = status === 200 || status === 204;
  const delay = RETRY_DELAYS_MINUTES[attemptNo - 1];
  if (!acknowledged && delay !== undefined)
    state.retries.push({ body, event, attempt: attemptNo + 1, dueAt: now + delay * 60_000 });
  return status;
}

/** Sends an event (`{ event, payload }`) as Zoom would: event_ts added, signed, retried on failure. */
export async function sendEvent(
  state: ZoomSimState,
  event: string,
  payload: unknown,
  options: SendOptions = {},
): Promise<Delivery['status']> {
  if (!state.webhook) throw new Error('no webhook subscription');
  const body = JSON.stringify({ event, payload, event_ts: clockNow(state) });
  return attempt(state, event, body, 1, options);
}

/**
 * Advances the test clock, in time order: the retries that fall due are sent, and the endpoint is
 * re-validated at every 72-hour mark passed (two marks in a 144-hour advance: two validations).
 */
export async function advanceClock(state: ZoomSimState, ms: number): Promise<void> {
  const target = clockNow(state) + ms;
  for (;;) {
    const due = state.retries
      .filter((r) => r.dueAt <= target)
      .sort((a, b) => a.dueAt - b.dueAt)
      .at(0);
    const hook = state.webhook;
    const mark = hook && hook.nextValidationAt <= target ? hook.nextValidationAt : undefined;
    if (!due && mark === undefined) break;
    if (hook && mark !== undefined && (!due || mark <= due.dueAt)) {
      state.clockOffsetMs += Math.max(0, mark - clockNow(state));
      hook.nextValidationAt = mark + REVALIDATE_EVERY_MS;
      await validateEndpoint(state);
      continue;
    }
    state.clockOffsetMs += Math.max(0, due!.dueAt - clockNow(state));
    state.retries = state.retries.filter((r) => r !== due);
    await retry(state, due!);
  }
  state.clockOffsetMs += Math.max(0, target - clockNow(state));
}

function retry(state: ZoomSimState, pending: PendingRetry) {
  return attempt(state, pending.event, pending.body, pending.attempt, {});
}
