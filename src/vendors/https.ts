// Outbound HTTPS: trust (the system roots plus an optional extra CA: a private PKI, or the
// simulators' local CA; verification is always on, there is no switch to turn it off), and the one
// fetch every HTTP client uses.
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Agent as UndiciAgent, type Dispatcher } from 'undici';
import {
  VendorError,
  describeFetchError,
  kindForStatus,
  parseRetryAfter,
  type VendorErrorKind,
} from './errors';
import { vendorTurn } from '../pacing/vendorPacers';

export function trustedCas(extraCaPem?: string): string[] {
  return extraCaPem ? [...rootCertificates, extraCaPem] : [...rootCertificates];
}

/** For fetch-based clients (undici). */
export function fetchDispatcher(
  extraCaPem?: string,
  options: { headersTimeoutMs?: number } = {},
): UndiciAgent {
  return new UndiciAgent({
    connect: { ca: trustedCas(extraCaPem) },
    ...(options.headersTimeoutMs && { headersTimeout: options.headersTimeoutMs }),
  });
}

/** For clients built on node:https (axios-based SDKs). */
export function httpsAgent(extraCaPem?: string): HttpsAgent {
  return new HttpsAgent({ ca: trustedCas(extraCaPem), keepAlive: true });
}

export interface VendorRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  timeoutMs: number;
  dispatcher: Dispatcher;
}

/**
 * One HTTP exchange with a vendor, for every fetch-based client: a network failure (refused, timed
 * out, bad certificate) becomes a retryable `unavailable` VendorError naming its cause; the answer is
 * returned with its body read as text, because each vendor puts its error details somewhere else.
 * A vendor with a rate budget paces the request first.
 */
export async function vendorFetch(
  vendor: string,
  url: URL | string,
  request: VendorRequest,
): Promise<{ response: Response; text: string }> {
  await vendorTurn(vendor);
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
      // Node's fetch takes an undici dispatcher (our CA trust); the DOM typings do not know it.
      ...({ dispatcher: request.dispatcher } as object),
    });
  } catch (err) {
    throw new VendorError(vendor, 'unavailable', describeFetchError(err));
  }
  return { response, text: await response.text() };
}

/** The VendorError for a refused answer: its kind from the status, the vendor's Retry-After kept. */
export function httpError(
  vendor: string,
  response: Response,
  message: string,
  overrides: { kind?: VendorErrorKind; code?: string } = {},
): VendorError {
  return new VendorError(vendor, overrides.kind ?? kindForStatus(response.status), message, {
    status: response.status,
    code: overrides.code,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
  });
}
