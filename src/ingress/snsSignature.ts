// Amazon SNS message signatures (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) checked with
// node:crypto, because `sns-payload-validator` and `sns-validator` fetch the certificate with their
// own HTTPS client (no way to give it the simulators' CA) and the first allows Amazon's hosts only.
// The signing certificate is fetched only over verified HTTPS from a host matching the trusted
// pattern (`sns.<region>.amazonaws.com` in production) and cached per URL; a URL off the pattern is
// refused before anything is fetched.
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { vendorFetch } from '../vendors/https';

export const DEFAULT_SNS_CERT_HOST_PATTERN = '^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$';

export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  SubscribeURL?: string;
  Token?: string;
}

export type SnsVerdict = { ok: true } | { ok: false; reason: 'untrusted_cert_host' | 'bad_signature' };

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;
const ALGORITHM: Record<string, string> = { '1': 'sha1', '2': 'sha256' };
const CACHE_LIMIT = 32;

/** The message's fields as SNS signed them: `Key\nValue\n` in order; an absent Subject is left out. */
export function snsStringToSign(m: SnsMessage): string {
  const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

/** A parsed body with every field a signature covers, or undefined. */
export function parseSnsMessage(raw: Buffer): SnsMessage | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const text = (k: string) => typeof m[k] === 'string';
  const required = [
    'Type',
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
  ];
  if (!required.every(text)) return undefined;
  if (!['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(m.Type as string))
    return undefined;
  if (m.Type !== 'Notification' && !(text('SubscribeURL') && text('Token'))) return undefined;
  if (m.Subject !== undefined && !text('Subject')) return undefined;
  return m as unknown as SnsMessage;
}

export class SnsVerifier {
  private readonly hostPattern: RegExp;
  private readonly certs = new Map<string, Promise<X509Certificate>>();

  constructor(
    hostPattern: string,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs = 2_000,
  ) {
    this.hostPattern = new RegExp(hostPattern);
  }

  /** An https URL whose host (with its port, if any) matches the trusted pattern. */
  trusted(url: string): boolean {
    try {
      const u = new URL(url);
      return u.protocol === 'https:' && this.hostPattern.test(u.host) && !u.username && !u.password;
    } catch {
      return false;
    }
  }

  async verify(m: SnsMessage): Promise<SnsVerdict> {
    const algorithm = ALGORITHM[m.SignatureVersion];
    if (!algorithm) return { ok: false, reason: 'bad_signature' };
    if (!this.trusted(m.SigningCertURL) || !new URL(m.SigningCertURL).pathname.endsWith('.pem'))
      return { ok: false, reason: 'untrusted_cert_host' };
    const cert = await this.certificate(m.SigningCertURL);
    const ok = verifySignature(
      algorithm,
      Buffer.from(snsStringToSign(m), 'utf8'),
      cert.publicKey,
      Buffer.from(m.Signature, 'base64'),
    );
    return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
  }

  /** Fetched once per URL; a failed fetch is forgotten so the next delivery tries again. */
  private certificate(url: string): Promise<X509Certificate> {
    let cert = this.certs.get(url);
    if (!cert) {
      cert = this.fetchCertificate(url);
      cert.catch(() => this.certs.delete(url));
      if (this.certs.size >= CACHE_LIMIT) this.certs.delete(this.certs.keys().next().value!);
      this.certs.set(url, cert);
    }
    return cert;
  }

  private async fetchCertificate(url: string): Promise<X509Certificate> {
    const { response, text } = await vendorFetch('sns', url, {
      method: 'GET',
      timeoutMs: this.timeoutMs,
      dispatcher: this.dispatcher,
    });
    if (!response.ok) throw new Error(`signing certificate ${url}: HTTP ${response.status}`);
    return new X509Certificate(text);
  }
}
