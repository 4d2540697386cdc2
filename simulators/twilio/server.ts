// Twilio simulator (REST API 2010-04-01): Basic auth (AccountSid:AuthToken), Messages (create,
// fetch, list with paging), usage records for today, error JSON with Twilio's codes, and signed
// status callbacks (X-Twilio-Signature) to each message's StatusCallback as its status moves on a
// test clock. Admin: POST /__admin/clock {advanceSeconds}, /__admin/fates {number, fate},
// /__admin/usage {count, price}; GET /__admin/messages, /__admin/callbacks.
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { startHttpSimulator, type HttpSimulator, type SimulatorTlsOptions } from '../kit/http-simulator';
import {
  createTwilioState,
  dueStatuses,
  FATE_ERRORS,
  messageSid,
  PRICE_PER_SEGMENT,
  type Fate,
  type SimMessage,
  type TwilioState,
} from './state';

export const TWILIO_SIM = {
  accountSid: `AC${'5'.repeat(32)}`,
  authToken: 'sim-twilio-auth-token',
  messagingServiceSid: `MG${'7'.repeat(32)}`,
} as const;

const API = '/2010-04-01';
const E164 = /^\+[1-9]\d{6,14}$/;

export interface TwilioSimulatorOptions {
  port?: number;
  tls?: SimulatorTlsOptions;
  /** `real`: the test clock ticks every second by itself (npm start); `manual` (default): admin only. */
  clock?: 'manual' | 'real';
}

function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** Twilio's signature: HMAC-SHA1 over the URL and the sorted form fields, base64. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function messageJson(m: SimMessage) {
  const uri = `${API}/Accounts/${TWILIO_SIM.accountSid}/Messages/${m.sid}.json`;
  return {
    sid: m.sid,
    account_sid: TWILIO_SIM.accountSid,
    messaging_service_sid: m.messagingServiceSid,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    // "0" until a sender is picked, as with a Messaging Service.
    num_segments: m.status === 'accepted' ? '0' : String(m.numSegments),
    num_media: '0',
    direction: 'outbound-api',
    api_version: '2010-04-01',
    price: m.price,
    price_unit: 'USD',
    error_code: m.errorCode,
    error_message: m.errorMessage,
    date_created: m.dateCreated.toUTCString().replace('GMT', '+0000'),
    date_updated: m.dateUpdated.toUTCString().replace('GMT', '+0000'),
    date_sent: m.dateSent ? m.dateSent.toUTCString().replace('GMT', '+0000') : null,
    uri,
    subresource_uris: { media: uri.replace('.json', '/Media.json') },
  };
}

export async function startTwilioSimulator(
  options: TwilioSimulatorOptions = {},
): Promise<HttpSimulator<TwilioState>> {
  let ticker: NodeJS.Timeout | undefined;
  const sim = await startHttpSimulator<TwilioState>({
    name: 'twilio',
    port: options.port,
    tls: options.tls,
    createState: createTwilioState,
    faultBody: (status, message) =>
      status === 429
        ? twilioError(429, 20429, 'Too Many Requests')
        : twilioError(status, status >= 500 ? 20500 : 20001, message),
    routes(app, ctx) {
      const authorized = (request: FastifyRequest, reply: FastifyReply, account: string): boolean => {
        const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
        const [user, password] = Buffer.from(encoded ?? '', 'base64')
          .toString('utf8')
          .split(':');
        if (scheme !== 'Basic' || user !== TWILIO_SIM.accountSid || password !== TWILIO_SIM.authToken) {
          void reply.code(401).send(twilioError(401, 20003, 'Authenticate'));
          return false;
        }
        if (account !== TWILIO_SIM.accountSid) {
          void reply.code(404).send(twilioError(404, 20404, 'The requested resource was not found'));
          return false;
        }
        return true;
      };
      type AccountParams = { Params: { account: string; sid?: string } };

      app.get<AccountParams>(`${API}/Accounts/:account`, async (request, reply) => {
        const account = request.params.account.replace(/\.json$/, '');
        if (!authorized(request, reply, account)) return reply;
        return { sid: account, friendly_name: 'Integrations', status: 'active', type: 'Full' };
      });

      app.post<AccountParams & { Body: Record<string, string> }>(
        `${API}/Accounts/:account/Messages.json`,
        async (request, reply) => {
          if (!authorized(request, reply, request.params.account)) return reply;
          const {
            To: to,
            From: from,
            MessagingServiceSid: service,
            Body: body,
            StatusCallback,
          } = request.body ?? {};
          if (!to) return reply.code(400).send(twilioError(400, 21604, "A 'To' phone number is required."));
          if (!from && !service)
            return reply.code(400).send(twilioError(400, 21603, "A 'From' phone number is required."));
          if (service && service !== TWILIO_SIM.messagingServiceSid)
            return reply.code(400).send(twilioError(400, 21701, 'The Messaging Service Sid is invalid.'));
          if (!body) return reply.code(400).send(twilioError(400, 21602, 'Message body is required.'));
          const refused = ctx.state.refused.get(to) ?? (E164.test(to) ? undefined : 21211);
          if (refused === 21211)
            return reply
              .code(400)
              .send(twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`));
          if (refused === 21610)
            return reply.code(400).send(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
          const now = new Date();
          const message: SimMessage = {
            sid: messageSid(),
            to,
            from: from ?? '+15005550006',
            body,
            messagingServiceSid: service ?? null,
            status: service ? 'accepted' : 'queued',
            statusCallback: StatusCallback,
            createdAtClock: ctx.state.clock,
            dateCreated: now,
            dateUpdated: now,
            numSegments: Math.max(1, Math.ceil(body.length / 160)),
            price: null,
            errorCode: null,
            errorMessage: null,
          };
          ctx.state.messages.push(message);
          return reply.code(201).send(messageJson(message));
        },
      );

      app.get<AccountParams & { Querystring: Record<string, string> }>(
        `${API}/Accounts/:account/Messages.json`,
        async (request, reply) => {
          if (!authorized(request, reply, request.params.account)) return reply;
          const q = request.query;
          const after = q['DateSent>'] ? Date.parse(q['DateSent>']) : undefined;
          const pageSize = Math.min(1000, Number(q.PageSize ?? 50));
          const page = Number(q.Page ?? 0);
          const rows = [...ctx.state.messages].reverse().filter(
            (m) =>
              (!q.To || m.to === q.To) &&
              // As Twilio: a message not yet sent has no DateSent, so a DateSent filter omits it.
              (after === undefined || (m.dateSent !== undefined && m.dateSent.getTime() >= after)),
          );
          const slice = rows.slice(page * pageSize, (page + 1) * pageSize);
          const base = `${API}/Accounts/${TWILIO_SIM.accountSid}/Messages.json`;
          const uri = (p: number) => {
            const params = new URLSearchParams({ ...q, PageSize: String(pageSize), Page: String(p) });
            return `${base}?${params.toString()}`;
          };
          return {
            messages: slice.map(messageJson),
            page,
            page_size: pageSize,
            start: page * pageSize,
            end: page * pageSize + Math.max(0, slice.length - 1),
            uri: uri(page),
            first_page_uri: uri(0),
            next_page_uri: (page + 1) * pageSize < rows.length ? uri(page + 1) : null,
            previous_page_uri: page > 0 ? uri(page - 1) : null,
          };
        },
      );

      app.get<AccountParams & { Querystring: Record<string, string> }>(
        `${API}/Accounts/:account/Usage/Records/Today.json`,
        async (request, reply) => {
          if (!authorized(request, reply, request.params.account)) return reply;
          const today = new Date().toISOString().slice(0, 10);
          const sent = ctx.state.messages.filter(
            (m) => m.price !== null && m.dateCreated.toISOString().slice(0, 10) === today,
          );
          const count = sent.reduce((n, m) => n + m.numSegments, 0) + ctx.state.extraUsage.count;
          const price =
            sent.reduce((p, m) => p + m.numSegments * PRICE_PER_SEGMENT, 0) + ctx.state.extraUsage.price;
          const category = request.query.Category;
          const records =
            !category || category === 'sms'
              ? [
                  {
                    account_sid: TWILIO_SIM.accountSid,
                    api_version: '2010-04-01',
                    as_of: new Date().toISOString(),
                    category: 'sms',
                    count: String(count),
                    count_unit: 'messages',
                    description: 'SMS Messages',
                    start_date: today,
                    end_date: today,
                    price: price.toFixed(5),
                    price_unit: 'usd',
                    usage: String(count),
                    usage_unit: 'messages',
                    uri: `${API}/Accounts/${TWILIO_SIM.accountSid}/Usage/Records/Today.json?Category=sms`,
                    subresource_uris: {},
                  },
                ]
              : [];
          const uri = `${API}/Accounts/${TWILIO_SIM.accountSid}/Usage/Records/Today.json`;
          return {
            usage_records: records,
            first_page_uri: uri,
            next_page_uri: null,
            previous_page_uri: null,
            page: 0,
            page_size: 50,
            start: 0,
            end: records.length - 1,
            uri,
          };
        },
      );

      /** Moves every message to the clock, posting each new status to its StatusCallback in order. */
      const advance = async (seconds: number) => {
        ctx.state.clock += seconds;
        for (const m of ctx.state.messages) {
          const fate: Fate = ctx.state.fates.get(m.to) ?? 'delivered';
          for (const status of dueStatuses(m, fate, ctx.state.clock)) {
            m.status = status;
            m.dateUpdated = new Date();
            if (status === 'sent') {
              m.dateSent = m.dateUpdated;
              m.price = (-m.numSegments * PRICE_PER_SEGMENT).toFixed(5);
            }
            const error = status === fate ? FATE_ERRORS[fate] : null;
            if (error) Object.assign(m, { errorCode: error.code, errorMessage: error.message });
            if (m.statusCallback) await postCallback(ctx.state, m);
          }
        }
      };

      app.post<{ Body: { advanceSeconds?: number } }>('/__admin/clock', async (request) => {
        await advance(Number(request.body?.advanceSeconds ?? 1));
        return { clock: ctx.state.clock };
      });
      app.post<{ Body: { number?: string; fate?: string } }>('/__admin/fates', async (request, reply) => {
        const { number, fate } = request.body ?? {};
        if (!number) return reply.code(400).send({ error: 'number is required' });
        if (fate === 'invalid' || fate === 'unsubscribed') {
          ctx.state.refused.set(number, fate === 'invalid' ? 21211 : 21610);
        } else if (fate === 'delivered' || fate === 'undelivered' || fate === 'failed') {
          ctx.state.fates.set(number, fate);
        } else
          return reply
            .code(400)
            .send({ error: 'fate: delivered, undelivered, failed, invalid or unsubscribed' });
        return { number, fate };
      });
      app.post<{ Body: { count?: number; price?: number } }>('/__admin/usage', async (request) => {
        ctx.state.extraUsage = {
          count: Number(request.body?.count ?? 0),
          price: Number(request.body?.price ?? 0),
        };
        return ctx.state.extraUsage;
      });
      app.get('/__admin/messages', async () => ctx.state.messages.map(messageJson));
      app.get('/__admin/callbacks', async () => ctx.state.callbacks);

      if (options.clock === 'real') {
        let busy = false;
        ticker = setInterval(() => {
          if (busy) return;
          busy = true;
          void advance(1).finally(() => (busy = false));
        }, 1_000);
        ticker.unref();
      }
    },
  });
  return {
    ...sim,
    get state() {
      return sim.state;
    },
    get certificate() {
      return sim.certificate;
    },
    close: async () => {
      if (ticker) clearInterval(ticker);
      await sim.close();
    },
  };
}

/** The status callback Twilio posts: form fields, signed over the callback URL and the fields. */
async function postCallback(state: TwilioState, m: SimMessage): Promise<void> {
  const url = m.statusCallback!;
  const params: Record<string, string> = {
    AccountSid: TWILIO_SIM.accountSid,
    ApiVersion: '2010-04-01',
    From: m.from,
    MessageSid: m.sid,
    MessageStatus: m.status,
    SmsSid: m.sid,
    SmsStatus: m.status,
    To: m.to,
    ...(m.messagingServiceSid && { MessagingServiceSid: m.messagingServiceSid }),
    ...(m.errorCode !== null && { ErrorCode: String(m.errorCode) }),
  };
  let httpStatus: number | string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TWILIO_SIM.authToken, url, params),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    httpStatus = response.status;
  } catch (err) {
    httpStatus = (err as Error).message;
  }
  state.callbacks.push({ sid: m.sid, status: m.status, url, httpStatus });
}
