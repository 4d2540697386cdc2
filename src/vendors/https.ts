// Outbound HTTPS trust: the system roots plus an optional extra CA (a private PKI, or the
// simulators' local CA). Verification is always on; there is no switch to turn it off.
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Agent as UndiciAgent } from 'undici';

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
