// Slack's inbound routes, each verified on the raw bytes first (v0 signature, 5-minute window,
// current or previous secret) and parsed after:
// - POST /slack/interactivity: button clicks (`payload=` JSON) and the `/integrations` slash command
//   (form fields) on one URL, as Slack's app settings allow;
// - POST /slack/events: the Events API (JSON), one workflow per event.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { answerCommand, type CommandDeps } from './slackCommands';
import { handleSlackEvents } from './slackEvents';
import { handleBlockActions, isBlockActions } from './slackInteractivity';
import type { IngressMetrics } from './metrics';
import type { SlackPeople } from './slackPeople';
import { v0Verdict, type SigningSecrets } from './slackSignature';
import type { TemporalGateway } from './temporal';
import { guarded, header, rawBody, type Verdict } from './verify';

export interface SlackRouteDeps extends CommandDeps {
  secrets: SigningSecrets;
  temporal: TemporalGateway;
  slack: SlackPeople;
  cabUsergroup?: string;
  metrics: IngressMetrics;
  log: Logger;
  now?: () => number;
}

export function registerSlackRoutes(app: FastifyInstance, deps: SlackRouteDeps): void {
  const now = deps.now ?? Date.now;
  const warn = (message: string, meta: object) => deps.log.warn(meta, message);
  const upstreamFailed = (err: unknown) =>
    deps.log.error({ error: (err as Error).message }, 'Temporal did not take a Slack request');

  const verify = (request: FastifyRequest) => (): Verdict =>
    v0Verdict(
      'slack',
      deps.secrets,
      deps.metrics,
      {
        timestamp: header(request, 'x-slack-request-timestamp'),
        signature: header(request, 'x-slack-signature'),
      },
      rawBody(request),
      Math.floor(now() / 1000),
    );
  const context = (route: string) => ({ vendor: 'slack', route, metrics: deps.metrics });

  app.post('/slack/interactivity', (request, reply) =>
    guarded(
      context('interactivity'),
      request,
      reply,
      verify(request),
      async () => {
        const form = new URLSearchParams(rawBody(request).toString('utf8'));
        const payloadText = form.get('payload');
        if (payloadText !== null) {
          let payload: unknown;
          try {
            payload = JSON.parse(payloadText);
          } catch {
            return 'invalid';
          }
          if (!isBlockActions(payload)) return 'invalid';
          const outcome = await handleBlockActions(payload, { ...deps, now, warn });
          if (outcome !== 'invalid') await reply.code(200).send();
          return outcome;
        }
        if (form.get('command') === null) return 'invalid';
        await reply.code(200).send(await answerCommand(form.get('text') ?? '', deps));
        return 'accepted';
      },
      upstreamFailed,
    ),
  );

  app.post('/slack/events', (request, reply) =>
    guarded(
      context('events'),
      request,
      reply,
      verify(request),
      async () => {
        const answer = await handleSlackEvents(rawBody(request), deps.temporal);
        if (answer.outcome !== 'invalid') await reply.code(200).send(answer.body ?? '');
        return answer.outcome;
      },
      upstreamFailed,
    ),
  );
}
