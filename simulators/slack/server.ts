// Slack Web API simulator: POST /api/{method} with form or JSON bodies, Bearer (or `token` field)
// auth, HTTP 200 `ok:false` platform errors and 429 + Retry-After rate limiting (via faults).
// People and user groups in directory.ts; button clicks sent to an app and response_url in interactivity.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startHttpSimulator, type HttpSimulator, type SimulatorTlsOptions } from '../kit/http-simulator';
import { SLACK_USERGROUPS, SLACK_USERS } from './directory';
import { registerInteractivity, type InteractivityState } from './interactivity';
import {
  createRotationState,
  refreshToken,
  rotatingTokenStatus,
  type RotationOptions,
  type RotationState,
} from './rotation';

export interface SlackMessage {
  channel: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  /** Message metadata (`event_type`, `event_payload`), returned by history with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  ts: string;
  user: string;
  bot_id: string;
  type: 'message';
}

export type SlackState = InteractivityState & { rotation: RotationState };

export interface SlackSimulatorOptions {
  port?: number;
  host?: string;
  tls?: SimulatorTlsOptions;
  /** The bot token requests must present (default `xoxb-sim-token`). */
  token?: string;
  /** Known channels (IDs or names, `#` optional). Absent = every channel exists. */
  channels?: string[];
  /** The app's signing secret, used to sign the clicks it sends (default `sim-signing-secret`). */
  signingSecret?: string;
  /** Token rotation (oauth.v2.access); defaults `sim-client-id`, `sim-client-secret`, `xoxe-1-sim-initial`. */
  rotation?: Partial<RotationOptions>;
}

export const SLACK_BOT = {
  userId: 'U0SIMBOT01',
  botId: 'B0SIMBOT01',
  teamId: 'T0SIMTEAM1',
  team: 'Simulated Workspace',
};
const MAX_TEXT_LENGTH = 40_000;

type SlackArgs = Record<string, unknown>;
type SlackResult = Record<string, unknown>;

class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: SlackResult = {},
  ) {
    super(code);
  }
}

export function slackFaultBody(status: number): unknown {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status === 404) return { ok: false, error: 'unknown_method' };
  if (status === 400) return { ok: false, error: 'invalid_arguments' };
  return { ok: false, error: status >= 500 ? 'fatal_error' : 'request_failed' };
}

function tokenOf(request: FastifyRequest, args: SlackArgs): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? '';
  }
  return typeof args.token === 'string' ? args.token : undefined;
}

/** Form bodies carry blocks/attachments as JSON strings; JSON bodies carry them as arrays. */
function jsonArrayArg(args: SlackArgs, key: string, errorCode: string): unknown[] | undefined {
  let value = args[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new SlackError(errorCode, {
        response_metadata: { messages: [`[ERROR] ${key} must be a JSON array`] },
      });
    }
  }
  if (!Array.isArray(value)) {
    throw new SlackError(errorCode, { response_metadata: { messages: [`[ERROR] ${key} must be an array`] } });
  }
  return value;
}

/** `metadata`: a JSON object (a JSON string in form bodies) with `event_type` and `event_payload`. */
function metadataArg(args: SlackArgs): SlackMessage['metadata'] {
  let value = args.metadata;
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new SlackError('invalid_metadata_format');
    }
  }
  const m = value as { event_type?: unknown; event_payload?: unknown };
  if (typeof m?.event_type !== 'string' || typeof m.event_payload !== 'object' || m.event_payload === null)
    throw new SlackError('invalid_metadata_schema');
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function validateBlocks(blocks: unknown[]): void {
  const errors: string[] = [];
  if (blocks.length > 50) errors.push('no more than 50 items allowed [json-pointer:/blocks]');
  blocks.forEach((block, i) => {
    const type = (block as { type?: unknown } | null)?.type;
    if (typeof block !== 'object' || block === null || typeof type !== 'string' || type === '') {
      errors.push(`missing required field: type [json-pointer:/blocks/${i}]`);
    }
  });
  if (errors.length > 0) {
    throw new SlackError('invalid_blocks', {
      errors,
      response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
    });
  }
}

export async function startSlackSimulator(
  options: SlackSimulatorOptions = {},
): Promise<HttpSimulator<SlackState>> {
  const { token = 'xoxb-sim-token', signingSecret = 'sim-signing-secret' } = options;
  const rotation: RotationOptions = {
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    initialRefreshToken: 'xoxe-1-sim-initial',
    ...options.rotation,
  };
  const knownChannels = options.channels && new Set(options.channels.map((c) => c.replace(/^#/, '')));
  let lastTsMicros = 0;

  /** Unique, strictly increasing `seconds.micros` string, like Slack's message ids. */
  function nextTs(): string {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  }

  function channelArg(args: SlackArgs): string {
    const channel = typeof args.channel === 'string' ? args.channel.replace(/^#/, '') : '';
    if (!channel || (knownChannels && !knownChannels.has(channel))) throw new SlackError('channel_not_found');
    return channel;
  }

  return startHttpSimulator<SlackState>({
    name: 'slack',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: () => ({
      messages: [],
      ephemeral: [],
      responseUrls: {},
      deliveries: {},
      rotation: createRotationState(rotation),
    }),
    faultBody: slackFaultBody,
    routes(app: FastifyInstance, ctx) {
      const methods: Record<string, (args: SlackArgs) => SlackResult> = {
        'auth.test': () => ({
          url: 'https://sim-workspace.slack.com/',
          team: SLACK_BOT.team,
          user: 'sim-bot',
          team_id: SLACK_BOT.teamId,
          user_id: SLACK_BOT.userId,
          bot_id: SLACK_BOT.botId,
          is_enterprise_install: false,
        }),
        'chat.postMessage': (args) => {
          const channel = channelArg(args);
          const text = typeof args.text === 'string' ? args.text : undefined;
          const blocks = jsonArrayArg(args, 'blocks', 'invalid_blocks');
          const attachments = jsonArrayArg(args, 'attachments', 'invalid_attachments');
          if (blocks) validateBlocks(blocks);
          if (!text && !blocks?.length && !attachments?.length) throw new SlackError('no_text');
          if (text && text.length > MAX_TEXT_LENGTH) throw new SlackError('msg_too_long');
          const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
          const metadata = metadataArg(args);
          const message: SlackMessage = {
            type: 'message',
            channel,
            text: text ?? '',
            ...(blocks && { blocks }),
            ...(attachments && { attachments }),
            ...(threadTs && { thread_ts: threadTs }),
            ...(metadata && { metadata }),
            ts: nextTs(),
            user: SLACK_BOT.userId,
            bot_id: SLACK_BOT.botId,
          };
          ctx.state.messages.push(message);
          const { channel: _c, ...wire } = message;
          return { channel, ts: message.ts, message: wire };
        },
        // Channels by id and name (this simulator's channel ids are their names).
        'conversations.list': () => {
          const names = new Set([...(knownChannels ?? []), ...ctx.state.messages.map((m) => m.channel)]);
          const channels = [...names].map((name) => ({
            id: name,
            name,
            is_channel: true,
            is_archived: false,
          }));
          return { channels, response_metadata: { next_cursor: '' } };
        },
        'chat.update': (args) => {
          const channel = channelArg(args);
          const message = ctx.state.messages.find((m) => m.channel === channel && m.ts === args.ts);
          if (!message) throw new SlackError('message_not_found');
          const blocks = jsonArrayArg(args, 'blocks', 'invalid_blocks');
          if (blocks) validateBlocks(blocks);
          if (typeof args.text === 'string') message.text = args.text;
          if (blocks) message.blocks = blocks;
          const { channel: _c, ...wire } = message;
          return { channel, ts: message.ts, text: message.text, message: wire };
        },
        'users.info': (args) => {
          const user = SLACK_USERS.find((u) => u.id === args.user);
          if (!user) throw new SlackError('user_not_found');
          return { user: { ...user, team_id: SLACK_BOT.teamId, deleted: false, is_bot: false } };
        },
        'usergroups.users.list': (args) => {
          const users = SLACK_USERGROUPS[String(args.usergroup ?? '')];
          if (!users) throw new SlackError('no_such_subteam');
          return { users };
        },
        // The vendor's own read API, for tests that check what Slack would hold.
        'conversations.history': (args) => {
          const channel = channelArg(args);
          const limit = Math.min(Number(args.limit ?? 100) || 100, 999);
          const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
          const messages = ctx.state.messages
            .filter((m) => m.channel === channel && !m.thread_ts)
            .reverse()
            .slice(0, limit)
            .map(({ channel: _c, metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
          return { messages, has_more: false, pin_count: 0, response_metadata: { next_cursor: '' } };
        },
      };

      app.post(
        '/api/:method',
        async (request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
          const handler = methods[request.params.method];
          if (!handler && request.params.method !== 'oauth.v2.access')
            return reply.code(404).send({ ok: false, error: 'unknown_method' });
          const args = (request.body ?? {}) as SlackArgs;
          const presented = tokenOf(request, args);
          try {
            // The token refresh authenticates with the client id and secret, not a token.
            if (request.params.method === 'oauth.v2.access') {
              const refreshed = refreshToken(
                ctx.state.rotation,
                rotation,
                args,
                { id: SLACK_BOT.teamId, name: SLACK_BOT.team },
                SLACK_BOT.userId,
              );
              return refreshed.ok ? { ok: true, ...refreshed.body } : { ok: false, error: refreshed.error };
            }
            if (presented === undefined || presented === '') throw new SlackError('not_authed');
            const rotating = rotatingTokenStatus(ctx.state.rotation, presented);
            if (rotating === 'token_expired') throw new SlackError('token_expired');
            if (presented !== token && rotating !== 'ok') throw new SlackError('invalid_auth');
            return { ok: true, ...handler!(args) };
          } catch (err) {
            if (!(err instanceof SlackError)) throw err;
            return { ok: false, error: err.code, ...err.extra };
          }
        },
      );

      app.get('/__admin/messages', async () => ctx.state.messages);
      registerInteractivity(app, ctx, { signingSecret, teamId: SLACK_BOT.teamId });
      app.post('/__admin/clock', async (request) => {
        const { advanceSeconds = 0 } = (request.body ?? {}) as { advanceSeconds?: number };
        ctx.state.rotation.clockOffsetMs += advanceSeconds * 1000;
        return { now: new Date(Date.now() + ctx.state.rotation.clockOffsetMs).toISOString() };
      });
      app.get('/__admin/rotation', async () => ({
        refreshes: ctx.state.rotation.refreshes,
        accessTokens: Object.keys(ctx.state.rotation.accessTokens).length,
      }));
    },
  });
}
