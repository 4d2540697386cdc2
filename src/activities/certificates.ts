// Certificate activities: a real TLS handshake with SNI to see what an endpoint serves now.
import { VendorError } from '../vendors/errors';
import { probeTls } from '../vendors/tls-probe';
import type { ProbedCertificateFacts } from '../domain/escalation';
import { vendorCall } from './shared/failures';

export function createCertificateActivities(deps: { extraCaPem?: string }) {
  return {
    async probeCertificate(target: { host: string; port: number }): Promise<ProbedCertificateFacts> {
      const cert = await vendorCall('tls', 'probe', async () => {
        try {
          return await probeTls(target.host, target.port, { extraCaPem: deps.extraCaPem });
        } catch (err) {
          throw new VendorError(
            'tls',
            'unavailable',
            `${target.host}:${target.port}: ${(err as Error).message}`,
          );
        }
      });
      return {
        trusted: cert.trusted,
        trustError: cert.trustError,
        validTo: cert.validTo.toISOString(),
        fingerprint256: cert.fingerprint256,
      };
    },
  };
}
