// A real TLS handshake with SNI that reports the peer certificate's facts. It completes the
// handshake even for an untrusted or expired certificate so the readiness check can say *why*;
// it sends no data over such a connection and reports it as untrusted.
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { trustedCas } from './https';

export interface ProbedCertificate {
  trusted: boolean;
  trustError?: string;
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  fingerprint256: string;
  subjectAltName?: string;
}

export function probeTls(
  host: string,
  port: number,
  options: { extraCaPem?: string; timeoutMs?: number } = {},
): Promise<ProbedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIp(host) ? undefined : host,
      ca: trustedCas(options.extraCaPem),
      rejectUnauthorized: false,
      timeout: options.timeoutMs ?? 10_000,
    });
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      // With rejectUnauthorized off Node skips the host-name check, so it is done here.
      const authError = socket.authorizationError ?? checkServerIdentity(host, cert)?.message;
      socket.end();
      resolve({
        trusted: !authError,
        trustError: authError ? String(authError) : undefined,
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        validFrom: new Date(cert.valid_from),
        validTo: new Date(cert.valid_to),
        fingerprint256: cert.fingerprint256,
        subjectAltName: cert.subjectaltname,
      });
    });
    socket.once('timeout', () => socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`)));
    socket.once('error', reject);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function formatName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
