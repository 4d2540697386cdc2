// Slack's inbound route: POST /slack/interactivity takes button clicks (`payload=` JSON) and the
// `/integrations` slash command (form fields) on one URL, as Slack's app settings allow. Verified on
// the raw bytes first (v0 signature, 5-minute window, current or previous secret); parsed after.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { answerCommand, type CommandDeps } from './slackCommands';
import { handleBlockActions, isBlockActions } from './slackInteractivity';
import type { IngressMetrics } from './metrics';
import type { SlackPeople } from './slackPeople';
import { verifySlackRequest, type SigningSecrets } from './slackSignature';
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
  const ctx = { vendor: 'slack', route: 'interactivity', metrics: deps.metrics };
  const warn = (message: string, meta: object) => deps.log.warn(meta, message);

  app.post('/slack/interactivity', (request, reply) => {
    const body = rawBody(request);
    const verify = (): Verdict => {
      const check = verifySlackRequest(
        deps.secrets,
        {
          timestamp: header(request, 'x-slack-request-timestamp'),
          signature: header(request, 'x-slack-signature'),
        },
        body,
        Math.floor(now() / 1000),
      );
      if (check.ok) {
        deps.metrics.signingSecret.inc({ vendor: 'slack', secret: check.secret });
        return { ok: true };
      }
      return { ok: false, outcome: check.reason === 'stale' ? 'stale' : 'refused_signature' };
    };
    return guarded(
      ctx,
      request,
      reply,
      verify,
      async () => {
        const form = new URLSearchParams(body.toString('utf8'));
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
      (err) => deps.log.error({ error: (err as Error).message }, 'Temporal did not take a Slack request'),
    );
  });
}
