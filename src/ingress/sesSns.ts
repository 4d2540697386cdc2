// POST /ses/sns: SES bounces and complaints through Amazon SNS. Each message's signature is checked
// (snsSignature.ts) and its topic must be one of ours; a SubscriptionConfirmation is confirmed by
// GETting its SubscribeURL (on the trusted host only); a Notification's recipients go to the
// sesFeedback workflow in one signal-with-start, which processes a MessageId once. A message whose
// signed Timestamp is older than the replay window (1 hour, SNS's longest HTTP retry span) or more
// than 5 minutes ahead is refused: an old genuine message replayed after its MessageId left the
// workflow's dedupe list would otherwise count again. The answer (200) goes only after Temporal took
// the signal; anything else is a 5xx and SNS redelivers.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { SES_FEEDBACK, SES_FEEDBACK_WORKFLOW_ID } from '../domain/sesFeedback';
import { vendorFetch } from '../vendors/https';
import type { IngressMetrics, IngressOutcome } from './metrics';
import { feedbackEvents } from './sesNotification';
import { parseSnsMessage, type SnsVerifier } from './snsSignature';
import type { TemporalGateway } from './temporal';
import { guarded, rawBody } from './verify';

export interface SesSnsDeps {
  verifier: Pick<SnsVerifier, 'verify' | 'trusted'>;
  /** SES_SNS_TOPIC_ARNS: messages from any other topic are refused. */
  topicArns: readonly string[];
  /** For confirming subscriptions (the same CA trust as the certificate fetch). */
  dispatcher: Dispatcher;
  temporal: TemporalGateway;
  metrics: IngressMetrics;
  log: Logger;
  /** SES_CONFIGURATION_SET: the set of notifications without tags (identity notifications). */
  configurationSet?: string;
  /** Messages older than this (by their signed Timestamp) are refused; default 1 hour. */
  maxAgeMs?: number;
  now?: () => number;
}

export const SNS_MAX_AGE_MS = 60 * 60 * 1000;
/** How far ahead of our clock a Timestamp may be (clock skew). */
const SNS_MAX_AHEAD_MS = 5 * 60 * 1000;

export function registerSesRoutes(app: FastifyInstance, deps: SesSnsDeps): void {
  const now = deps.now ?? Date.now;
  const maxAgeMs = deps.maxAgeMs ?? SNS_MAX_AGE_MS;
  const context = { vendor: 'ses', route: 'sns', metrics: deps.metrics };
  app.post('/ses/sns', (request, reply) =>
    guarded(
      context,
      request,
      reply,
      // The signature needs the signing certificate (a fetch): it is checked inside the handler.
      () => ({ ok: true }),
      async (): Promise<IngressOutcome> => {
        const m = parseSnsMessage(rawBody(request));
        if (!m) return 'invalid';
        const refuse = async (why: string) => {
          deps.log.warn({ messageId: m.MessageId.slice(0, 100), why }, 'SNS message refused');
          await reply.code(401).send();
          return 'refused_signature' as const;
        };
        if (!deps.topicArns.includes(m.TopicArn)) return refuse('unexpected_topic');
        const sentAt = Date.parse(m.Timestamp);
        if (Number.isNaN(sentAt)) return 'invalid';
        if (now() - sentAt > maxAgeMs || sentAt - now() > SNS_MAX_AHEAD_MS) {
          deps.log.warn(
            { messageId: m.MessageId.slice(0, 100), timestamp: m.Timestamp.slice(0, 40) },
            'SNS message outside the replay window',
          );
          await reply.code(401).send();
          return 'stale';
        }
        const verdict = await deps.verifier.verify(m);
        if (!verdict.ok) return refuse(verdict.reason);
        if (m.Type === 'SubscriptionConfirmation') {
          if (!deps.verifier.trusted(m.SubscribeURL!)) return refuse('untrusted_subscribe_url');
          const { response } = await vendorFetch('sns', m.SubscribeURL!, {
            method: 'GET',
            timeoutMs: 2_000,
            dispatcher: deps.dispatcher,
          });
          if (!response.ok) throw new Error(`SubscribeURL answered HTTP ${response.status}`);
          deps.log.info({ topicArn: m.TopicArn }, 'SNS subscription confirmed');
        } else if (m.Type === 'Notification') {
          const events = feedbackEvents(
            m.Message,
            m.MessageId,
            new Date(now()).toISOString(),
            deps.configurationSet,
          );
          if (!events) return 'invalid';
          if (events.length > 0)
            await deps.temporal.signalWithStart({
              workflowType: SES_FEEDBACK.workflowType,
              workflowId: SES_FEEDBACK_WORKFLOW_ID,
              args: {},
              signal: SES_FEEDBACK.feedback,
              signalArgs: events,
              connector: 'ses',
              reuse: 'allow',
            });
        }
        await reply.code(200).send();
        return 'accepted';
      },
      (err) => deps.log.error({ error: (err as Error).message }, 'SNS message not taken'),
    ),
  );
}
