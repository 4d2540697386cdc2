// What Slack does when a person clicks a button: it builds the block_actions payload from the
// message, signs `v0:{ts}:{body}` with the app's signing secret and POSTs it (form field `payload`)
// to the app's Request URL. The admin call /__admin/click does that as a given user. The payload's
// response_url points back here: posting to it replaces the message or shows an ephemeral reply.
// /__admin/event sends an Events API event_callback the same way.
import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../kit/http-simulator';
import type { SlackMessage } from './server';
import { SLACK_USERS } from './directory';

export interface EphemeralMessage {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
}

export interface InteractivityState {
  messages: SlackMessage[];
  ephemeral: EphemeralMessage[];
  responseUrls: Record<string, { channel: string; ts: string; user: string }>;
  /** Sent payloads by action_ts, so a retry resends the same delivery. */
  deliveries: Record<string, string>;
}

export interface ClickRequest {
  /** The app's Request URL (the ingress's /slack/interactivity). */
  requestUrl: string;
  channel: string;
  ts: string;
  actionId: string;
  user: string;
  /** With `retryNum`: resends the delivery of this earlier click as Slack's retry (X-Slack-Retry-Num). */
  actionTs?: string;
  retryNum?: number;
  /** Signs with this secret instead of the app's (a forged request). */
  signingSecret?: string;
  /** Seconds to shift the signed timestamp by (negative = an old request). */
  timestampOffsetSeconds?: number;
}

export interface EventRequest {
  /** The app's Events API Request URL (the ingress's /slack/events). */
  requestUrl: string;
  event: { type: string; channel?: string; user?: string; text?: string };
  /** With `retryNum`: resends the delivery of this event id as Slack's retry. */
  eventId?: string;
  retryNum?: number;
}

export function sign(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

interface Button {
  type?: string;
  action_id?: string;
  value?: string;
}

function findButton(
  message: SlackMessage,
  actionId: string,
): { blockId: string; button: Button } | undefined {
  for (const block of (message.blocks ?? []) as { type?: string; block_id?: string; elements?: Button[] }[]) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find((e) => e.action_id === actionId);
    if (button) return { blockId: block.block_id ?? 'actions', button };
  }
  return undefined;
}

export function registerInteractivity(
  app: FastifyInstance,
  ctx: SimulatorContext<InteractivityState>,
  options: { signingSecret: string; teamId: string },
): void {
  async function deliver(
    click: Pick<ClickRequest, 'requestUrl' | 'signingSecret' | 'timestampOffsetSeconds' | 'retryNum'>,
    body: string,
    contentType = 'application/x-www-form-urlencoded',
  ) {
    const timestamp = String(Math.floor(Date.now() / 1000) + (click.timestampOffsetSeconds ?? 0));
    const response = await fetch(click.requestUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': sign(click.signingSecret ?? options.signingSecret, timestamp, body),
        ...(click.retryNum && {
          'x-slack-retry-num': String(click.retryNum),
          'x-slack-retry-reason': 'http_error',
        }),
      },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  app.post('/__admin/click', async (request, reply) => {
    const click = request.body as ClickRequest;
    const earlier = click.retryNum && click.actionTs ? ctx.state.deliveries[click.actionTs] : undefined;
    if (earlier) return { ...(await deliver(click, earlier)), actionTs: click.actionTs };
    const message = ctx.state.messages.find(
      (m) => m.channel === click.channel.replace(/^#/, '') && m.ts === click.ts,
    );
    if (!message) return reply.code(404).send({ error: 'no such message' });
    const found = findButton(message, click.actionId);
    if (!found) return reply.code(409).send({ error: `the message has no button ${click.actionId}` });
    const user = SLACK_USERS.find((u) => u.id === click.user);
    if (!user) return reply.code(404).send({ error: `no user ${click.user}` });
    const hook = randomUUID();
    ctx.state.responseUrls[hook] = { channel: message.channel, ts: message.ts, user: user.id };
    const actionTs = click.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`;
    const payload = {
      type: 'block_actions',
      team: { id: options.teamId, domain: 'sim-workspace' },
      user: { id: user.id, username: user.name, name: user.name, team_id: options.teamId },
      api_app_id: 'A0SIMAPP01',
      token: 'deprecated-verification-token',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      channel: { id: message.channel, name: message.channel },
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
      response_url: `${ctx.url}/hooks/response/${hook}`,
      actions: [
        {
          type: 'button',
          action_id: click.actionId,
          block_id: found.blockId,
          value: found.button.value,
          action_ts: actionTs,
        },
      ],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    ctx.state.deliveries[actionTs] = body;
    return { ...(await deliver(click, body)), actionTs };
  });

  // The Events API: an event_callback envelope, signed the same way, as JSON.
  app.post('/__admin/event', async (request) => {
    const sent = request.body as EventRequest;
    const earlier = sent.retryNum && sent.eventId ? ctx.state.deliveries[sent.eventId] : undefined;
    const eventId = sent.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
    const body =
      earlier ??
      JSON.stringify({
        token: 'deprecated-verification-token',
        team_id: options.teamId,
        api_app_id: 'A0SIMAPP01',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event: { ...sent.event, event_ts: `${(Date.now() / 1000).toFixed(6)}` },
      });
    ctx.state.deliveries[eventId] = body;
    return { ...(await deliver(sent, body, 'application/json')), eventId };
  });

  app.post('/hooks/response/:hook', async (request, reply) => {
    const target = ctx.state.responseUrls[(request.params as { hook: string }).hook];
    if (!target) return reply.code(404).send('no_such_response_url');
    const body = request.body as {
      text?: string;
      blocks?: unknown[];
      replace_original?: boolean;
      delete_original?: boolean;
      response_type?: string;
    };
    const message = ctx.state.messages.find((m) => m.channel === target.channel && m.ts === target.ts);
    if (message && body.delete_original) {
      ctx.state.messages.splice(ctx.state.messages.indexOf(message), 1);
    } else if (message && body.replace_original === true) {
      message.text = body.text ?? message.text;
      message.blocks = body.blocks;
    } else {
      // Slack's default for a response_url reply: shown only to the person who clicked.
      ctx.state.ephemeral.push({
        channel: target.channel,
        user: target.user,
        text: body.text ?? '',
        blocks: body.blocks,
      });
    }
    return reply.type('text/plain').send('ok');
  });

  app.get('/__admin/ephemeral', async () => ctx.state.ephemeral);
}
