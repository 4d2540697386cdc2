// Readiness probes per connector: reachability and TLS facts from a real handshake, then one
// cheap authenticated call that proves the credentials are accepted. Problems are reported, not
// thrown: the report is the product of this activity.
import { log } from '@temporalio/activity';
import { credentialAges, daysUntil, type ConnectorCheck, type CredentialRotation } from '../domain/readiness';
import { VendorError } from '../vendors/errors';
import { probeTls } from '../vendors/tls-probe';

export interface ConnectorProbe {
  /** The endpoint whose reachability and certificate are checked. */
  endpoint: string;
  /** Throws when the credentials are not accepted. */
  verifyCredentials(): Promise<unknown>;
  /** A rotating credential's issue and expiry times (ISO), read where it is stored. */
  tokenTimes?(): { refreshedAt: string; expiresAt: string } | undefined;
  /** The connector's secrets and when each was last rotated. */
  credentials?: CredentialRotation[];
}

export interface ReadinessDeps {
  connectors: Record<string, ConnectorProbe>;
  extraCaPem?: string;
}

export function createReadinessActivities(deps: ReadinessDeps) {
  return {
    async listConfiguredConnectors(): Promise<string[]> {
      return Object.keys(deps.connectors).sort();
    },

    async checkConnector(connector: string): Promise<ConnectorCheck> {
      const probe = deps.connectors[connector];
      if (!probe)
        return {
          connector,
          endpoint: 'not configured',
          reachable: false,
          credentialsAccepted: false,
          error: 'not configured',
        };
      const check = await runProbe(connector, probe, deps.extraCaPem);
      log.info('connector checked', {
        connector,
        reachable: check.reachable,
        credentials: check.credentialsAccepted,
      });
      return check;
    },
  };
}

/**
 * What the report shows: an http(s) origin; for other schemes (sftp) scheme, host, port and folder,
 * because `URL.origin` is the string "null" for schemes WHATWG does not know. Never credentials.
 */
function endpointLabel(url: URL): string {
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

async function runProbe(
  connector: string,
  probe: ConnectorProbe,
  extraCaPem?: string,
): Promise<ConnectorCheck> {
  const url = new URL(probe.endpoint);
  const result: ConnectorCheck = {
    connector,
    endpoint: endpointLabel(url),
    reachable: true,
    credentialsAccepted: false,
    ...(probe.credentials && { credentials: credentialAges(probe.credentials, new Date()) }),
  };
  if (url.protocol === 'https:') {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    try {
      const cert = await probeTls(host, Number(url.port || 443), { extraCaPem });
      result.tls = {
        trusted: cert.trusted,
        trustError: cert.trustError,
        subject: cert.subject,
        issuer: cert.issuer,
        validTo: cert.validTo.toISOString(),
        daysToExpiry: daysUntil(cert.validTo, new Date()),
      };
    } catch (err) {
      return { ...result, reachable: false, error: (err as Error).message };
    }
    // An untrusted endpoint never gets our credentials.
    if (!result.tls.trusted) return { ...result, error: 'credentials not sent to an untrusted endpoint' };
  }
  const times = probe.tokenTimes?.();
  if (times) {
    const now = Date.now();
    const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
    result.token = {
      ...times,
      ageHours: hours(now - Date.parse(times.refreshedAt)),
      expiresInHours: hours(Date.parse(times.expiresAt) - now),
    };
  }
  try {
    await probe.verifyCredentials();
    result.credentialsAccepted = true;
  } catch (err) {
    const unreachable = err instanceof VendorError && err.kind === 'unavailable' && !err.details.status;
    if (unreachable) result.reachable = false;
    result.error = err instanceof Error ? err.message : String(err);
  }
  return result;
}
