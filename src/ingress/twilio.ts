// Twilio's status callbacks: POST /twilio/status?page=<smsPage workflow id>, form-encoded. The
// X-Twilio-Signature is checked (the twilio package's validateRequest) over the URL Twilio called,
// INGRESS_PUBLIC_URL + path and query, and the raw form's fields; so the page id in the query is
// signed too. The status is signalled to that page and acknowledged only once Temporal took it;
// the page applies a status once and only forward, so a repeated callback changes nothing.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { validateRequest } from 'twilio';
import { SMS_PAGE_PREFIX } from '../domain/sms';
import type { IngressMetrics, IngressOutcome } from './metrics';
import type { TemporalGateway } from './temporal';
import { guarded, header, rawBody, type Verdict } from './verify';

export interface TwilioRouteDeps {
  authToken: string;
  /** The ingress's public URL as Twilio calls it (scheme, host, port, any path prefix). */
  publicUrl: string;
  temporal: TemporalGateway;
  metrics: IngressMetrics;
  log: Logger;
}

export function registerTwilioRoutes(app: FastifyInstance, deps: TwilioRouteDeps): void {
  const base = deps.publicUrl.replace(/\/+$/, '');
  const context = { vendor: 'twilio', route: 'status', metrics: deps.metrics };
  app.post('/twilio/status', (request, reply) => {
    const form = Object.fromEntries(new URLSearchParams(rawBody(request).toString('utf8')));
    const verify = (): Verdict => {
      const signature = header(request, 'x-twilio-signature');
      const ok = !!signature && validateRequest(deps.authToken, signature, `${base}${request.url}`, form);
      return ok ? { ok: true } : { ok: false, outcome: 'refused_signature' };
    };
    const handle = async (): Promise<IngressOutcome> => {
      const page = new URL(request.url, 'http://ingress').searchParams.get('page');
      const { MessageSid: sid, MessageStatus: status, ErrorCode: code } = form;
      if (!page?.startsWith(SMS_PAGE_PREFIX) || !sid || !status) return 'invalid';
      const update = { sid, status, ...(code && /^\d+$/.test(code) && { errorCode: Number(code) }) };
      const taken = await deps.temporal.signal(page, 'smsStatus', update);
      // A page that has ended has nothing left to record: acknowledged, so Twilio stops.
      await reply.code(200).send();
      return taken === 'signalled' ? 'accepted' : 'refused';
    };
    return guarded(context, request, reply, verify, handle, (err) =>
      deps.log.error({ error: (err as Error).message }, 'Temporal did not take a Twilio status callback'),
    );
  });
}
