// Twilio over the official `twilio` package: SMS through a Messaging Service (Twilio picks the
// sender), message lookups and today's usage. Its own 429 retries stay off (Temporal retries);
// errors become VendorErrors by Twilio's code. The package has no base-URL option, so a request
// client rewrites the origin when TWILIO_API_URL names another host (the simulator). The package
// (~24 MB resident) loads on the first call, so a worker that never pages pays nothing for it.
import type { Twilio } from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { VendorError, describeFetchError, kindForStatus } from './errors';

export const TWILIO_API_URL = 'https://api.twilio.com';

/** Not retried: the number is wrong or has opted out; a person must fix the on-call table. */
const REFUSED_NUMBER_CODES = new Set([21211, 21214, 21408, 21610, 21612, 21614]);

export interface TwilioClientOptions {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  messagingServiceSid: string;
  extraCaPem?: string;
  timeoutMs?: number;
}

export interface SentMessage {
  sid: string;
  status: string;
}

export interface SmsUsage {
  count: number;
  spent: number;
  currency: string;
}

export interface MessageTally {
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  spent: number;
  currency: string;
}

/** A RequestClient that sends every request to `origin` instead of api.twilio.com (same path and query). */
function originRequestClient(
  Base: typeof RequestClient,
  origin: URL,
  options: RequestClient.RequestClientOptions,
) {
  class OriginRequestClient extends Base {
    override request<T>(opts: RequestClient.RequestOptions<T>) {
      const target = new URL(opts.uri);
      target.protocol = origin.protocol;
      target.host = origin.host;
      return super.request({ ...opts, uri: target.href });
    }
  }
  return new OriginRequestClient(options);
}

async function createTwilio(options: TwilioClientOptions): Promise<Twilio> {
  const { default: twilio } = await import('twilio');
  const { default: Base } = await import('twilio/lib/base/RequestClient');
  const requestOptions = {
    autoRetry: false,
    timeout: options.timeoutMs ?? 15_000,
    ...(options.extraCaPem && { ca: options.extraCaPem }),
  };
  const origin = new URL(options.apiUrl);
  return twilio(options.accountSid, options.authToken, {
    autoRetry: false,
    // Ambient TWILIO_EDGE/TWILIO_REGION would rewrite hosts behind the configuration's back.
    env: {},
    httpClient:
      origin.origin === TWILIO_API_URL
        ? new Base(requestOptions)
        : originRequestClient(Base, origin, requestOptions),
  });
}

export class TwilioClient {
  private twilio?: Promise<Twilio>;

  constructor(private readonly options: TwilioClientOptions) {}

  private get client(): Promise<Twilio> {
    this.twilio ??= createTwilio(this.options);
    return this.twilio;
  }

  async sendSms(to: string, body: string, statusCallback?: string): Promise<SentMessage> {
    const message = await this.call(async () =>
      (await this.client).messages.create({
        to,
        body,
        messagingServiceSid: this.options.messagingServiceSid,
        ...(statusCallback && { statusCallback }),
      }),
    );
    return { sid: message.sid, status: message.status };
  }

  /**
   * A message to `to` created since `since` whose body contains `marker`: an earlier attempt's
   * send. Not filtered by DateSent: a message still accepted or queued has none yet, and a retry
   * that missed it would page twice.
   */
  async findSent(to: string, marker: string, since: Date): Promise<SentMessage | undefined> {
    const messages = await this.call(async () => (await this.client).messages.list({ to, limit: 200 }));
    const found = messages.find(
      (m) => m.body?.includes(marker) && (!m.dateCreated || m.dateCreated.getTime() >= since.getTime()),
    );
    return found && { sid: found.sid, status: found.status };
  }

  /** Today's SMS usage (Twilio's usage day, UTC): messages and their price. */
  async smsUsageToday(): Promise<SmsUsage> {
    const records = await this.call(async () =>
      (await this.client).usage.records.today.list({ category: 'sms' }),
    );
    const record = records[0];
    return {
      count: Number(record?.count ?? 0),
      spent: Math.abs(Number(record?.price ?? 0)),
      currency: (record?.priceUnit ?? 'usd').toUpperCase(),
    };
  }

  /** Messages sent from `since` on, by outcome, and what they cost (for the digest). */
  async messagesSince(since: Date, limit = 5_000): Promise<MessageTally> {
    const messages = await this.call(async () =>
      (await this.client).messages.list({ dateSentAfter: since, limit }),
    );
    const tally: MessageTally = {
      sent: 0,
      delivered: 0,
      undelivered: 0,
      failed: 0,
      spent: 0,
      currency: 'USD',
    };
    for (const m of messages) {
      if (m.direction === 'inbound') continue;
      tally.sent++;
      if (m.status === 'delivered' || m.status === 'read') tally.delivered++;
      if (m.status === 'undelivered') tally.undelivered++;
      if (m.status === 'failed') tally.failed++;
      tally.spent += Math.abs(Number(m.price ?? 0)) || 0;
      if (m.priceUnit) tally.currency = m.priceUnit.toUpperCase();
    }
    tally.spent = Math.round(tally.spent * 10_000) / 10_000;
    return tally;
  }

  /** The cheapest call that proves the credentials: the account itself. */
  async account(): Promise<{ status: string }> {
    const account = await this.call(async () =>
      (await this.client).api.v2010.accounts(this.options.accountSid).fetch(),
    );
    return { status: account.status };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw twilioError(err);
    }
  }
}

/**
 * Twilio's messages may quote the number (21211: "The 'To' number +1555… is not a valid phone
 * number."); an error becomes activity failure text in a history, so numbers are masked first:
 * E.164 (`+` and 7–15 digits) and bare runs of 10–15 digits.
 */
export function redactPhoneNumbers(text: string): string {
  return text.replace(/\+\d{7,15}(?!\d)|(?<![\w+])\d{10,15}(?![\w])/g, '[number]');
}

/** Twilio's error JSON (`code`, `message`, `status`) as a VendorError: the code decides the retry. */
export function twilioError(err: unknown): VendorError {
  const { status, code, message } = err as { status?: number; code?: number; message?: string };
  if (typeof status !== 'number')
    return new VendorError('twilio', 'unavailable', redactPhoneNumbers(describeFetchError(err)));
  const details = { status, ...(code !== undefined && { code: String(code) }) };
  const text = redactPhoneNumbers(`${code ?? status} ${message ?? ''}`.trim());
  if (status === 429 || code === 20429) return new VendorError('twilio', 'rate-limited', text, details);
  if (code !== undefined && REFUSED_NUMBER_CODES.has(code))
    return new VendorError('twilio', 'invalid', text, details);
  if (code === 20003) return new VendorError('twilio', 'auth', text, details);
  return new VendorError('twilio', kindForStatus(status), text, details);
}
