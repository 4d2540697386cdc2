// Microsoft Graph simulator (HTTPS only, because the Graph JS client drops Authorization elsewhere):
// the Entra ID v2 token endpoint (client credentials) and Teams channel messages with Adaptive Card
// attachments, in Graph's error envelope; 429/503/504 come from faults with Retry-After.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const TOKEN_LIFETIME_SECONDS = 3599;
const SERVICE_ACCOUNT_ID = '8ea0e38b-efb3-4757-924a-5f94061cf8c2';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export interface GraphSimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** A delegated refresh token accepted by the refresh_token grant (default `sim-refresh-token`). */
  refreshToken?: string;
  /**
   * Real Graph refuses app-only (client-credentials) tokens for posting channel messages outside
   * migration mode; `'reject'` simulates that with 403. Default `'allow'`.
   */
  appOnlyPosting?: 'allow' | 'reject';
}

export interface ChatMessageAttachment {
  id: string;
  contentType: string;
  contentUrl: string | null;
  content: string | null;
  name: string | null;
  thumbnailUrl: string | null;
  teamsAppId: string | null;
}

export interface ChatMessage {
  '@odata.context'?: string;
  id: string;
  replyToId: string | null;
  etag: string;
  messageType: 'message';
  createdDateTime: string;
  lastModifiedDateTime: string;
  lastEditedDateTime: string | null;
  deletedDateTime: string | null;
  subject: string | null;
  summary: string | null;
  chatId: string | null;
  importance: string;
  locale: string;
  webUrl: string;
  policyViolation: null;
  eventDetail: null;
  from: unknown;
  body: { contentType: 'html' | 'text'; content: string };
  channelIdentity: { teamId: string; channelId: string };
  attachments: ChatMessageAttachment[];
  mentions: unknown[];
  reactions: unknown[];
}

export interface GraphState {
  tokens: Map<string, { clientId: string; expiresAt: number; appOnly: boolean }>;
  refreshTokens: Set<string>;
  messages: ChatMessage[];
}

interface TokenForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
  refresh_token?: string;
}

function graphErrorBody(status: number, code: string, message: string): unknown {
  const date = new Date().toISOString().slice(0, 19);
  const requestId = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: {
        code: String(status),
        date,
        message,
        'request-id': requestId,
        'client-request-id': requestId,
        status: String(status),
      },
    },
  };
}

const GRAPH_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Forbidden', 'Forbidden.'],
  404: ['NotFound', 'Resource not found.'],
  429: ['TooManyRequests', 'Please retry again later.'],
  500: ['InternalServerError', 'Internal server error.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceNotAvailable', 'Service unavailable.'],
  504: ['GatewayTimeout', 'Gateway timeout.'],
};

export function graphFaultBody(status: number, message: string): unknown {
  const [code, fallback] = GRAPH_CODES[status] ?? ['UnknownError', 'Error.'];
  return graphErrorBody(status, code, message.startsWith('Simulated fault') ? fallback : message);
}

/** Entra ID (AAD) token endpoint error shape. */
function aadError(reply: FastifyReply, status: number, error: string, aadsts: number, description: string) {
  const traceId = randomUUID();
  return reply.code(status).send({
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: traceId,
    correlation_id: randomUUID(),
  });
}

const ATTACHMENT_TAG = /<attachment\s+id\s*=\s*"([^"]*)"\s*>\s*<\/attachment>/gi;

/** Validates a chatMessage POST body as Graph does; returns an error message or the parsed parts. */
function validateMessage(
  raw: unknown,
): string | { body: ChatMessage['body']; attachments: ChatMessageAttachment[]; subject: string | null } {
  if (typeof raw !== 'object' || raw === null) return 'The request body is missing or not a JSON object.';
  const input = raw as {
    body?: { contentType?: unknown; content?: unknown };
    attachments?: unknown;
    subject?: unknown;
  };
  const contentType = String(input.body?.contentType ?? 'text').toLowerCase();
  if (contentType !== 'html' && contentType !== 'text') return `Invalid body.contentType '${contentType}'.`;
  if (typeof input.body?.content !== 'string') return 'body.content is required.';
  const content = input.body.content;
  if (input.attachments !== undefined && !Array.isArray(input.attachments))
    return 'attachments must be an array.';
  const attachments: ChatMessageAttachment[] = [];
  for (const a of (input.attachments ?? []) as Record<string, unknown>[]) {
    if (typeof a?.id !== 'string' || a.id === '') return 'Each attachment needs an id.';
    if (typeof a.contentType !== 'string') return `Attachment '${a.id}' needs a contentType.`;
    if (a.contentType === ADAPTIVE_CARD) {
      if (typeof a.content !== 'string') {
        return `Attachment '${a.id}': content of an adaptive card must be a serialized JSON string.`;
      }
      let card: { type?: unknown } | null;
      try {
        card = JSON.parse(a.content) as { type?: unknown } | null;
      } catch {
        return `Attachment '${a.id}': content is not valid JSON.`;
      }
      if (card?.type !== 'AdaptiveCard') return `Attachment '${a.id}': content.type must be 'AdaptiveCard'.`;
    }
    attachments.push({
      id: a.id,
      contentType: a.contentType,
      contentUrl: typeof a.contentUrl === 'string' ? a.contentUrl : null,
      content: typeof a.content === 'string' ? a.content : null,
      name: typeof a.name === 'string' ? a.name : null,
      thumbnailUrl: typeof a.thumbnailUrl === 'string' ? a.thumbnailUrl : null,
      teamsAppId: null,
    });
  }
  const referenced = new Set([...content.matchAll(ATTACHMENT_TAG)].map((m) => m[1]));
  const ids = new Set(attachments.map((a) => a.id));
  const missingTag = [...ids].filter((id) => !referenced.has(id));
  if (missingTag.length > 0) {
    return `Attachment(s) not referenced in message body: ${missingTag.join(', ')}. Add <attachment id="..."></attachment>.`;
  }
  const unknown = [...referenced].filter((id) => id !== undefined && !ids.has(id));
  if (unknown.length > 0) return `Message body references unknown attachment(s): ${unknown.join(', ')}.`;
  const subject = typeof input.subject === 'string' ? input.subject : null;
  return { body: { contentType, content }, attachments, subject };
}

export async function startGraphSimulator(
  options: GraphSimulatorOptions,
): Promise<HttpSimulator<GraphState>> {
  const {
    tenantId = 'sim-tenant',
    clientId = 'sim-client',
    clientSecret = 'sim-secret',
    refreshToken = 'sim-refresh-token',
    appOnlyPosting = 'allow',
  } = options;
  if (!options.tls) throw new Error('The Graph simulator serves HTTPS only: pass tls');
  let lastId = 0;

  function requireToken(ctx: SimulatorContext<GraphState>, request: FastifyRequest, reply: FastifyReply) {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      ctx.sendError(reply, 401, 'Access token is empty.');
      return undefined;
    }
    const token = ctx.state.tokens.get(match[1]);
    if (!token) {
      ctx.sendError(reply, 401, 'Access token validation failure. Invalid audience.');
      return undefined;
    }
    if (token.expiresAt <= Date.now()) {
      ctx.sendError(reply, 401, 'Lifetime validation failed, the token is expired.');
      return undefined;
    }
    return token;
  }

  type TokenError = [status: number, error: string, aadsts: number, description: string];

  /** The Entra ID v2 token endpoint: client_credentials (app-only) and refresh_token (delegated). */
  function issueToken(
    state: GraphState,
    tenant: string,
    form: TokenForm,
  ): { error: TokenError } | { response: Record<string, unknown> } {
    if (tenant !== tenantId)
      return { error: [400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`] };
    if (!form.grant_type) {
      const description = "The request body must contain the following parameter: 'grant_type'.";
      return { error: [400, 'invalid_request', 900144, description] };
    }
    if (form.grant_type !== 'client_credentials' && form.grant_type !== 'refresh_token') {
      const description = `The app requested an unsupported grant type '${form.grant_type}'.`;
      return { error: [400, 'unsupported_grant_type', 70003, description] };
    }
    if (form.client_id !== clientId) {
      const description = `Application with identifier '${form.client_id ?? ''}' was not found in the directory '${tenantId}'.`;
      return { error: [400, 'unauthorized_client', 700016, description] };
    }
    if (form.client_secret !== clientSecret) {
      return { error: [401, 'invalid_client', 7000215, 'Invalid client secret provided.'] };
    }
    const scopes = (form.scope ?? '').split(/\s+/).filter(Boolean);
    const appOnly = form.grant_type === 'client_credentials';
    if (appOnly ? scopes.join(' ') !== GRAPH_SCOPE : scopes.length === 0) {
      const description = appOnly
        ? `The provided value for scope ${form.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`
        : "The request body must contain the following parameter: 'scope'.";
      return {
        error: [400, appOnly ? 'invalid_scope' : 'invalid_request', appOnly ? 1002012 : 900144, description],
      };
    }
    if (!appOnly && !(form.refresh_token && state.refreshTokens.has(form.refresh_token))) {
      return { error: [400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'] };
    }
    const accessToken = `sim-graph.${randomUUID()}`;
    state.tokens.set(accessToken, {
      clientId,
      appOnly,
      expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000,
    });
    const response: Record<string, unknown> = {
      token_type: 'Bearer',
      ...(!appOnly && { scope: scopes.filter((x) => x !== 'offline_access').join(' ') }),
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: accessToken,
    };
    if (!appOnly && scopes.includes('offline_access')) {
      // Entra rotates refresh tokens but the old one keeps working until it expires or is revoked.
      const next = `sim-refresh.${randomUUID()}`;
      state.refreshTokens.add(next);
      response.refresh_token = next;
    }
    return { response };
  }

  return startHttpSimulator<GraphState>({
    name: 'graph',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: () => ({ tokens: new Map(), refreshTokens: new Set([refreshToken]), messages: [] }),
    faultBody: graphFaultBody,
    routes(app: FastifyInstance, ctx) {
      app.post(
        '/:tenant/oauth2/v2.0/token',
        async (request: FastifyRequest<{ Params: { tenant: string } }>, reply) => {
          const isForm = (request.headers['content-type'] ?? '').startsWith(
            'application/x-www-form-urlencoded',
          );
          const result = issueToken(
            ctx.state,
            request.params.tenant,
            isForm ? (request.body as TokenForm) : {},
          );
          if ('error' in result) {
            const [status, error, aadsts, description] = result.error;
            return aadError(reply, status, error, aadsts, description);
          }
          return result.response;
        },
      );

      // Invalidates every access token issued so far (refresh tokens stay valid): the client's next
      // call gets 401 InvalidAuthenticationToken and must go back to the token endpoint.
      app.post('/__admin/revoke-access-tokens', async () => {
        const revoked = ctx.state.tokens.size;
        ctx.state.tokens.clear();
        return { ok: true, revoked };
      });

      type ChannelParams = { teamId: string; channelId: string; messageId?: string };
      const channelPath = '/v1.0/teams/:teamId/channels/:channelId/messages';

      function postMessage(request: FastifyRequest<{ Params: ChannelParams }>, reply: FastifyReply) {
        const token = requireToken(ctx, request, reply);
        if (!token) return reply;
        if (token.appOnly && appOnlyPosting === 'reject') {
          return ctx.sendError(reply, 403, 'Requested API is not supported in application-only context');
        }
        const { teamId, channelId, messageId } = request.params;
        if (messageId !== undefined && !findMessage(teamId, channelId, messageId)) {
          return ctx.sendError(reply, 404, `Message '${messageId}' not found.`);
        }
        const parsed = validateMessage(request.body);
        if (typeof parsed === 'string') return ctx.sendError(reply, 400, parsed);
        lastId = Math.max(Date.now(), lastId + 1);
        const id = String(lastId);
        const now = new Date(lastId).toISOString();
        const message: ChatMessage = {
          id,
          replyToId: messageId ?? null,
          etag: id,
          messageType: 'message',
          createdDateTime: now,
          lastModifiedDateTime: now,
          lastEditedDateTime: null,
          deletedDateTime: null,
          subject: parsed.subject,
          summary: null,
          chatId: null,
          importance: 'normal',
          locale: 'en-us',
          webUrl: `https://teams.microsoft.com/l/message/${encodeURIComponent(channelId)}/${id}?groupId=${teamId}&tenantId=${tenantId}&createdTime=${id}&parentMessageId=${messageId ?? id}`,
          policyViolation: null,
          eventDetail: null,
          from: token.appOnly
            ? {
                application: {
                  '@odata.type': '#microsoft.graph.teamworkApplicationIdentity',
                  id: clientId,
                  displayName: 'Simulated App',
                  applicationIdentityType: 'aadApplication',
                },
                device: null,
                user: null,
              }
            : {
                application: null,
                device: null,
                user: {
                  '@odata.type': '#microsoft.graph.teamworkUserIdentity',
                  id: SERVICE_ACCOUNT_ID,
                  displayName: 'Simulated Service Account',
                  userIdentityType: 'aadUser',
                },
              },
          body: parsed.body,
          channelIdentity: { teamId, channelId },
          attachments: parsed.attachments,
          mentions: [],
          reactions: [],
        };
        ctx.state.messages.push(message);
        const entity = messageId === undefined ? 'messages' : `messages('${messageId}')/replies`;
        return reply.code(201).send({
          '@odata.context': `${ctx.url}/v1.0/$metadata#teams('${teamId}')/channels('${encodeURIComponent(channelId)}')/${entity}/$entity`,
          ...message,
        });
      }

      function findMessage(teamId: string, channelId: string, id: string): ChatMessage | undefined {
        return ctx.state.messages.find(
          (m) =>
            m.id === id && m.channelIdentity.teamId === teamId && m.channelIdentity.channelId === channelId,
        );
      }

      app.post(channelPath, postMessage);
      app.post(`${channelPath}/:messageId/replies`, postMessage);

      // The vendor's read API: list channel messages (top-level, newest first, $top ≤ 50, $skiptoken).
      app.get(
        channelPath,
        async (
          request: FastifyRequest<{ Params: ChannelParams; Querystring: Record<string, string> }>,
          reply,
        ) => {
          if (!requireToken(ctx, request, reply)) return reply;
          const { teamId, channelId } = request.params;
          const top = Math.min(Math.max(Number(request.query.$top ?? 20) || 20, 1), 50);
          const skip = Number(Buffer.from(request.query.$skiptoken ?? '', 'base64url').toString() || 0) || 0;
          const all = ctx.state.messages
            .filter(
              (m) =>
                m.replyToId === null &&
                m.channelIdentity.teamId === teamId &&
                m.channelIdentity.channelId === channelId,
            )
            .reverse();
          const base = `${ctx.url}/v1.0/teams/${teamId}/channels/${encodeURIComponent(channelId)}/messages`;
          return {
            '@odata.context': `${ctx.url}/v1.0/$metadata#teams('${teamId}')/channels('${encodeURIComponent(channelId)}')/messages`,
            '@odata.count': all.length,
            ...(skip + top < all.length && {
              '@odata.nextLink': `${base}?$top=${top}&$skiptoken=${Buffer.from(String(skip + top)).toString('base64url')}`,
            }),
            value: all.slice(skip, skip + top),
          };
        },
      );

      app.get(
        `${channelPath}/:messageId`,
        async (request: FastifyRequest<{ Params: ChannelParams }>, reply) => {
          if (!requireToken(ctx, request, reply)) return reply;
          const { teamId, channelId, messageId = '' } = request.params;
          const message = findMessage(teamId, channelId, messageId);
          return message ?? ctx.sendError(reply, 404, `Message '${messageId}' not found.`);
        },
      );

      app.get('/__admin/messages', async () => ctx.state.messages);
    },
  });
}
