// GET/POST /actions/{token}: the Teams and e-mail failover for one-click answers. GET only shows a
// confirmation page (link scanners and previews fetch links, and must change nothing); the POST
// from that page acts, as an update whose id is the link's id (a second POST acts on nothing).
// One audit line per POST names the link and whom it was sent to.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { readActionLink, type ActionLinkClaims } from '../actionLinks';
import { writeAudit } from '../audit';
import { planAction } from './actions';
import type { IngressMetrics, IngressOutcome } from './metrics';
import type { TemporalGateway } from './temporal';

export interface ActionLinkRouteDeps {
  secret: string;
  temporal: TemporalGateway;
  metrics: IngressMetrics;
  log: Logger;
  now?: () => number;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`,
    );
}

export function registerActionLinkRoutes(app: FastifyInstance, deps: ActionLinkRouteDeps): void {
  const now = deps.now ?? Date.now;
  const count = (outcome: IngressOutcome, end: () => void) => {
    deps.metrics.requests.inc({ vendor: 'link', route: 'actions', outcome });
    end();
  };
  const check = (token: string, reply: FastifyReply, end: () => void) => {
    const link = readActionLink(deps.secret, token, now());
    if (link.ok) return link.claims;
    count(link.reason === 'expired' ? 'expired' : 'refused_signature', end);
    void (link.reason === 'expired'
      ? page(reply, 410, 'This link has expired', '<p>Act from the Web UI, Slack or the CLI instead.</p>')
      : page(reply, 401, 'This link is not valid', ''));
    return undefined;
  };
  const describe = (c: ActionLinkClaims) => planAction(c.kind, { id: c.to, name: c.to }, now(), c.target);

  app.get<{ Params: { token: string } }>('/actions/:token', async (request, reply) => {
    const end = deps.metrics.duration.startTimer({ vendor: 'link', route: 'actions' });
    const claims = check(request.params.token, reply, end);
    if (!claims) return reply;
    count('shown', end);
    const plan = describe(claims);
    return page(
      reply,
      200,
      `Confirm: ${plan.update} on ${claims.workflowId}`,
      `<p>Sent to ${escape(claims.to)}. Nothing has been done yet.</p>` +
        `<form method="post"><button type="submit">Confirm ${escape(plan.update)}</button></form>`,
    );
  });

  app.post<{ Params: { token: string } }>('/actions/:token', async (request, reply) => {
    const end = deps.metrics.duration.startTimer({ vendor: 'link', route: 'actions' });
    const claims = check(request.params.token, reply, end);
    if (!claims) return reply;
    const plan = describe(claims);
    const audit = (outcome: string, reason?: string) =>
      writeAudit({
        actor: claims.to,
        connector: 'link',
        workflowId: claims.workflowId,
        runId: '',
        action: `update:${plan.update}`,
        target: claims.workflowId,
        outcome,
        detail: { via: 'action-link', link: claims.id, sentTo: claims.to, ...(reason && { reason }) },
      });
    if (plan.cabOnly) {
      audit('rejected', 'CAB decisions need Slack (user group) or the CLI');
      count('refused', end);
      return page(reply, 403, 'Not done', '<p>CAB decisions are taken in Slack or with the CLI.</p>');
    }
    let outcome;
    try {
      outcome = await deps.temporal.update(claims.workflowId, plan.update, plan.args, `link-${claims.id}`);
    } catch (err) {
      deps.log.error({ error: (err as Error).message }, 'Temporal did not take an action link');
      count('upstream_failure', end);
      return page(
        reply,
        503,
        'Not done yet',
        '<p>The workflow service is unavailable: try again shortly.</p>',
      );
    }
    if (outcome.status === 'refused') {
      audit('rejected', outcome.reason);
      count('refused', end);
      return page(reply, 409, 'Not done', `<p>${escape(outcome.reason)}</p>`);
    }
    audit('success');
    count('accepted', end);
    return page(reply, 200, plan.outcome, '<p>You can close this page.</p>');
  });
}
