// The SNS side of the SES simulator: an RSA signing key with a self-signed certificate (served by
// the simulator, as SNS serves SimpleNotificationService-*.pem), messages signed as SNS signs them
// (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA over `Key\nValue\n` pairs), and deliveries
// to subscribed HTTP(S) endpoints with SNS's headers and text/plain body, retried a few times.
import { randomUUID, sign, webcrypto } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

export interface SnsSigningKey {
  keyPem: string;
  certPem: string;
}

export async function createSnsSigningKey(
  commonName = 'sns.us-east-1.amazonaws.com',
): Promise<SnsSigningKey> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomUUID().replace(/-/g, '').slice(0, 16),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    signingAlgorithm: RSA,
    keys,
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY'), certPem: cert.toString('pem') };
}

export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsFields {
  Type: SnsType;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

export type SignedSnsMessage = SnsFields & {
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
};

const NOTIFICATION = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/** Signs as SNS does; `SigningCertURL` names where the certificate of `key` is served. */
export function signSnsMessage(
  fields: SnsFields,
  key: Pick<SnsSigningKey, 'keyPem'>,
  signingCertUrl: string,
  version: '1' | '2' = '1',
): SignedSnsMessage {
  const names = fields.Type === 'Notification' ? NOTIFICATION : CONFIRMATION;
  const text = names
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('');
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), key.keyPem).toString(
    'base64',
  );
  return { ...fields, SignatureVersion: version, Signature: signature, SigningCertURL: signingCertUrl };
}

export interface Subscription {
  subscriptionArn: string;
  topicArn: string;
  endpoint: string;
  token: string;
  confirmed: boolean;
  signatureVersion: '1' | '2';
}

export interface Delivery {
  messageId: string;
  type: SnsType;
  endpoint: string;
  status?: number;
  error?: string;
}

/** POSTs a message as SNS does; a failed delivery is retried 3 times (SNS's immediate retries). */
export async function deliver(
  sub: Subscription,
  message: SignedSnsMessage,
  fetchOptions: object,
  record: (d: Delivery) => void,
): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const response = await fetch(sub.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': message.Type,
          'x-amz-sns-message-id': message.MessageId,
          'x-amz-sns-topic-arn': message.TopicArn,
          ...(sub.confirmed && { 'x-amz-sns-subscription-arn': sub.subscriptionArn }),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(15_000),
        ...fetchOptions,
      });
      await response.arrayBuffer();
      record({
        messageId: message.MessageId,
        type: message.Type,
        endpoint: sub.endpoint,
        status: response.status,
      });
      if (response.status < 500) return;
    } catch (err) {
      record({
        messageId: message.MessageId,
        type: message.Type,
        endpoint: sub.endpoint,
        error: (err as Error).message,
      });
    }
    await sleep(200 * (attempt + 1));
  }
}
