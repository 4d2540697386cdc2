// Zoom's webhook (POST /zoom/webhook, JSON), verified on the raw bytes first: Zoom signs exactly as
// Slack does (`v0=` HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{raw body}`), so the same check
// serves, with its 5-minute window and the previous secret accepted during a rotation. Then:
// - `endpoint.url_validation` is answered with the plainToken and its HMAC under the secret that
//   verified the request (so Zoom's check passes with either secret while a rotation is on);
// - `meeting.ended` / `webinar.ended` of a training start its `zoomTrainingAttendance` run by
//   signalWithStart, the workflow id from the meeting UUID: Zoom's retries (+5, +20, +60 minutes)
//   and re-sends find the same run; the 200 goes out only once Temporal took the event; a run that
//   failed (reuse ALLOW_DUPLICATE_FAILED_ONLY) is started again by a retry, a completed one is not;
//   a training's event that the workflow's input schema would refuse (a meeting number that is not
//   9-12 digits, a topic too long) starts nothing: it is logged (field and reason, no values) and
//   answered 400 like any malformed event, so it is not acknowledged as taken and then lost as a
//   failed run; Zoom's three retries end in a drop;
// - anything else is acknowledged and ignored (Zoom would retry a refusal).
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { zoomTrainingAttendanceInput } from '../domain/inputs/zoom';
import { isTraining, zoomTrainingWorkflowId, type TrainingFilter, type ZoomMeetingRef } from '../domain/zoom';
import type { IngressMetrics, IngressOutcome } from './metrics';
import { v0Verdict, type SigningSecrets } from './slackSignature';
import type { TemporalGateway } from './temporal';
import { guarded, header, rawBody, type Verdict } from './verify';

export interface ZoomRouteDeps {
  secrets: SigningSecrets;
  training: TrainingFilter;
  temporal: TemporalGateway;
  metrics: IngressMetrics;
  log: Logger;
  now?: () => number;
}

interface ZoomEnvelope {
  event?: unknown;
  event_ts?: unknown;
  payload?: {
    plainToken?: unknown;
    object?: { uuid?: unknown; id?: unknown; topic?: unknown; start_time?: unknown; end_time?: unknown };
  };
}

const ENDED = new Map([
  ['meeting.ended', 'meeting'],
  ['webinar.ended', 'webinar'],
] as const);

/** Zoom's CRC answer: the plain token and hex HMAC-SHA256 of it under the webhook secret. */
export function zoomEncryptedToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

export function registerZoomRoutes(app: FastifyInstance, deps: ZoomRouteDeps): void {
  const now = deps.now ?? Date.now;
  const context = { vendor: 'zoom', route: 'webhook', metrics: deps.metrics };
  app.post('/zoom/webhook', (request, reply) => {
    let secret = deps.secrets.current;
    const verify = (): Verdict => {
      const verdict = v0Verdict(
        'zoom',
        deps.secrets,
        deps.metrics,
        {
          timestamp: header(request, 'x-zm-request-timestamp'),
          signature: header(request, 'x-zm-signature'),
        },
        rawBody(request),
        Math.floor(now() / 1000),
      );
      if (verdict.secret === 'previous') secret = deps.secrets.previous!;
      return verdict;
    };
    return guarded(
      context,
      request,
      reply,
      verify,
      async (): Promise<IngressOutcome> => {
        let envelope: ZoomEnvelope;
        try {
          envelope = JSON.parse(rawBody(request).toString('utf8')) as ZoomEnvelope;
        } catch {
          return 'invalid';
        }
        if (envelope.event === 'endpoint.url_validation') {
          const plainToken = envelope.payload?.plainToken;
          if (typeof plainToken !== 'string' || !plainToken) return 'invalid';
          await reply.code(200).send({ plainToken, encryptedToken: zoomEncryptedToken(secret, plainToken) });
          return 'accepted';
        }
        const outcome = await startTraining(envelope, deps);
        if (outcome !== 'invalid') await reply.code(200).send();
        return outcome;
      },
      (err) => deps.log.error({ error: (err as Error).message }, 'Temporal did not take a Zoom event'),
    );
  });
}

async function startTraining(envelope: ZoomEnvelope, deps: ZoomRouteDeps): Promise<IngressOutcome> {
  const kind = typeof envelope.event === 'string' ? ENDED.get(envelope.event as 'meeting.ended') : undefined;
  if (!kind) return 'ignored';
  const o = envelope.payload?.object;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const meetingId = typeof o?.id === 'number' ? String(o.id) : text(o?.id);
  const [uuid, topic, start, end] = [text(o?.uuid), text(o?.topic), text(o?.start_time), text(o?.end_time)];
  if (!uuid || !meetingId || !topic || !start || !end) return 'invalid';
  if (!isTraining(deps.training, topic, meetingId)) return 'ignored';
  const parsed = zoomTrainingAttendanceInput.schema.safeParse({
    meetingUuid: uuid,
    meetingId,
    kind,
    topic,
    startTime: start,
    endTime: end,
  });
  if (!parsed.success) {
    // Field names and zod's reasons only: the values (topic, ids) stay out of the log.
    deps.log.warn(
      {
        event: envelope.event,
        issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message })),
      },
      'Zoom training event refused: it does not fit zoomTrainingAttendance input',
    );
    return 'invalid';
  }
  const ref: ZoomMeetingRef = parsed.data;
  const started = await deps.temporal.signalWithStart({
    workflowType: 'zoomTrainingAttendance',
    workflowId: zoomTrainingWorkflowId(ref.meetingUuid),
    args: ref,
    signal: 'delivered',
    signalArgs: { eventTs: typeof envelope.event_ts === 'number' ? envelope.event_ts : 0 },
    connector: 'zoom',
    // A failed run (e.g. NotConfigured) is started again by Zoom's retry: the upsert is idempotent.
    reuse: 'failed-only',
  });
  return started === 'started' ? 'accepted' : 'duplicate';
}
