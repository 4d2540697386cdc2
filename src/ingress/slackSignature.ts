// Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's signing
// secret, compared in constant time. During a rotation the previous secret is still accepted; the
// caller counts which one matched so an operator knows when the old one can go.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IngressMetrics } from './metrics';
import type { Verdict } from './verify';

/** Slack's replay window: a request older (or further in the future) than this is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export interface SigningSecrets {
  current: string;
  previous?: string;
}

export type SignatureCheck =
  { ok: true; secret: 'current' | 'previous' } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export function slackSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export function verifySlackRequest(
  secrets: SigningSecrets,
  headers: { timestamp?: string; signature?: string },
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS)
    return { ok: false, reason: 'stale' };
  const presented = Buffer.from(signature);
  for (const [which, secret] of [
    ['current', secrets.current],
    ['previous', secrets.previous],
  ] as const) {
    if (!secret) continue;
    const expected = Buffer.from(slackSignature(secret, timestamp, rawBody));
    if (expected.length === presented.length && timingSafeEqual(expected, presented))
      return { ok: true, secret: which };
  }
  return { ok: false, reason: 'mismatch' };
}

/**
 * A route's verdict on a v0-signed request (Slack's scheme, which Zoom uses too): stale or refused,
 * or accepted with the matching secret counted per vendor.
 */
export function v0Verdict(
  vendor: string,
  secrets: SigningSecrets,
  metrics: IngressMetrics,
  headers: { timestamp?: string; signature?: string },
  rawBody: Buffer,
  nowSeconds: number,
): Verdict & { secret?: 'current' | 'previous' } {
  const check = verifySlackRequest(secrets, headers, rawBody, nowSeconds);
  if (!check.ok) return { ok: false, outcome: check.reason === 'stale' ? 'stale' : 'refused_signature' };
  metrics.signingSecret.inc({ vendor, secret: check.secret });
  return { ok: true, secret: check.secret };
}
