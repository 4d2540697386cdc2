// Email through the SES v2 API (SendEmail) with a configuration set, so SES publishes bounces and
// complaints per set and our reputation guard reads the same sets. The SDK's own retries are off:
// Temporal retries the activity. SES sends no Retry-After, so a throttle waits one second (send
// rate) or ten minutes (daily quota), as AWS advises. The SDK loads on the first send.
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { VendorError, type VendorErrorKind } from './errors';
import { httpsAgent } from './https';

export interface SesClientOptions {
  region: string;
  /** Another endpoint than `email.<region>.amazonaws.com` (the simulator in tests). */
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
  from: string;
  configurationSet: string;
  extraCaPem?: string;
}

export interface OutboundEmail {
  to: string[];
  subject: string;
  text: string;
  /** SES message tags (ASCII letters, digits, `_`, `-`; 256 characters): connector, kind. */
  tags?: Record<string, string>;
}

export class SesClient {
  private sdk?: Promise<{
    client: SESv2Client;
    SendEmailCommand: typeof import('@aws-sdk/client-sesv2').SendEmailCommand;
  }>;

  constructor(private readonly options: SesClientOptions) {}

  private loadSdk() {
    this.sdk ??= import('@aws-sdk/client-sesv2').then(({ SESv2Client, SendEmailCommand }) => ({
      SendEmailCommand,
      client: new SESv2Client({
        region: this.options.region,
        endpoint: this.options.endpoint,
        credentials: { accessKeyId: this.options.accessKeyId, secretAccessKey: this.options.secretAccessKey },
        maxAttempts: 1,
        requestHandler: { httpsAgent: httpsAgent(this.options.extraCaPem), requestTimeout: 15_000 },
      }),
    }));
    return this.sdk;
  }

  get configurationSet(): string {
    return this.options.configurationSet;
  }

  async send(message: OutboundEmail): Promise<{ messageId: string }> {
    const { client, SendEmailCommand } = await this.loadSdk();
    try {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: message.to },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
            },
          },
          ConfigurationSetName: this.options.configurationSet,
          EmailTags: Object.entries(message.tags ?? {}).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (err) {
      throw sesError(err);
    }
  }
}

const NOT_RETRIED = new Set([
  'MessageRejected',
  'BadRequestException',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);

function sesError(err: unknown): VendorError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const code = e.name ?? 'Error';
  const message = `${code}: ${e.message ?? ''}`;
  let kind: VendorErrorKind = 'unavailable';
  let retryAfterSeconds: number | undefined;
  if (status === 429 || code === 'TooManyRequestsException' || code === 'LimitExceededException') {
    kind = 'rate-limited';
    retryAfterSeconds = /daily/i.test(e.message ?? '') ? 600 : 1;
  } else if (status === 401 || status === 403) kind = 'auth';
  else if (NOT_RETRIED.has(code)) kind = 'invalid';
  return new VendorError('ses', kind, message, { status, code, retryAfterSeconds });
}

/** True when SES refused this message's recipient (sandbox: not verified); other mail goes on. */
export function isRecipientRejected(err: unknown): boolean {
  return err instanceof VendorError && err.vendor === 'ses' && err.details.code === 'MessageRejected';
}
