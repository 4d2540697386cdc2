// Zoom simulator: Server-to-Server OAuth (`POST /oauth/token?grant_type=account_credentials`,
// Basic client id:secret, 1-hour bearer tokens), `GET /v2/report/{meetings|webinars}/{uuid}/participants`
// (one row per join, paged with next_page_token; 404 code 3001 until the report is ready on the
// test clock; a daily limit answering 429 `X-RateLimit-Type: Daily-limit`), registrants, and a
// webhook sender (webhooks.ts). Per-second 429s come from the kit's faults with Retry-After.
// Admin: POST /__admin/meetings, GET|POST /__admin/clock, POST /__admin/webhook (subscribe: runs
// the URL validation), POST /__admin/webhook/send, POST /__admin/webhook/validate,
// GET /__admin/deliveries, POST /__admin/daily-limit, POST /__admin/tokens/revoke.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ADMIN_PREFIX,
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';
import { clockNow, createZoomState, type SimMeeting, type ZoomSimState } from './state';
import { advanceClock, REVALIDATE_EVERY_MS, sendEvent, validateEndpoint, type SendOptions } from './webhooks';

export interface ZoomSimulatorOptions {
  port?: number;
  host?: string;
  tls?: SimulatorTlsOptions;
  accountId?: string;
  clientId?: string;
  clientSecret?: string;
  /** How long the webhook sender waits for an answer (Zoom: 3 s); tests shorten it. */
  ackDeadlineMs?: number;
}

const TOKEN_LIFETIME_SECONDS = 3599;
const MAX_PAGE_SIZE = 300;
const DEFAULT_PAGE_SIZE = 30;

export function zoomFaultBody(status: number, message: string): unknown {
  return { code: status, message };
}

/** Path parameters arrive decoded once; Zoom's double-encoded UUIDs need a second pass. */
function meetingUuid(raw: string): string {
  return /%[0-9A-Fa-f]{2}/.test(raw) ? decodeURIComponent(raw) : raw;
}

function page<T>(rows: T[], query: { page_size?: string; next_page_token?: string }) {
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(query.page_size) || DEFAULT_PAGE_SIZE));
  const offset = query.next_page_token
    ? Number(Buffer.from(query.next_page_token, 'base64url').toString())
    : 0;
  const slice = rows.slice(offset, offset + size);
  const next = offset + size < rows.length ? Buffer.from(String(offset + size)).toString('base64url') : '';
  return {
    slice,
    paging: {
      page_count: Math.ceil(rows.length / size),
      page_size: size,
      total_records: rows.length,
      next_page_token: next,
    },
  };
}

function nextUtcMidnight(now: number): string {
  const d = new Date(now);
  d.setUTCHours(24, 0, 0, 0);
  return d.toUTCString();
}

export async function startZoomSimulator(
  options: ZoomSimulatorOptions = {},
): Promise<HttpSimulator<ZoomSimState>> {
  const {
    accountId = 'sim-account',
    clientId = 'sim-zoom-client',
    clientSecret = 'sim-zoom-secret',
  } = options;
  return startHttpSimulator<ZoomSimState>({
    name: 'zoom',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: () => createZoomState({ ackDeadlineMs: options.ackDeadlineMs }),
    faultBody: zoomFaultBody,
    routes(app: FastifyInstance, ctx: SimulatorContext<ZoomSimState>) {
      app.post('/oauth/token', async (request, reply) => {
        const query = request.query as { grant_type?: string; account_id?: string };
        const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
        const [id, secret] = Buffer.from(encoded ?? '', 'base64')
          .toString()
          .split(':');
        if (scheme !== 'Basic' || id !== clientId || secret !== clientSecret)
          return reply
            .code(400)
            .send({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
        if (query.grant_type !== 'account_credentials')
          return reply.code(400).send({ reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
        if (query.account_id !== accountId)
          return reply.code(400).send({ reason: 'Invalid account_id', error: 'invalid_request' });
        const token = randomBytes(24).toString('base64url');
        ctx.state.tokens.set(token, Date.now() + TOKEN_LIFETIME_SECONDS * 1000);
        return {
          access_token: token,
          token_type: 'bearer',
          expires_in: TOKEN_LIFETIME_SECONDS,
          scope: 'report:read:admin meeting:read:admin',
          api_url: 'https://api.zoom.us',
        };
      });

      const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const expiresAt = token ? ctx.state.tokens.get(token) : undefined;
        if (expiresAt !== undefined && expiresAt > Date.now()) return true;
        void reply.code(401).send({ code: 124, message: 'Invalid access token.' });
        return false;
      };

      for (const kind of ['meeting', 'webinar'] as const) {
        app.get(`/v2/report/${kind}s/:uuid/participants`, async (request, reply) => {
          if (!authorized(request, reply)) return reply;
          const uuid = meetingUuid((request.params as { uuid: string }).uuid);
          if (ctx.state.dailyReportCallsLeft !== undefined) {
            if (ctx.state.dailyReportCallsLeft <= 0)
              return reply
                .code(429)
                .header('x-ratelimit-category', 'Heavy')
                .header('x-ratelimit-type', 'Daily-limit')
                .header('retry-after', nextUtcMidnight(clockNow(ctx.state)))
                .send({ code: 429, message: 'You have reached the maximum daily rate limit for this API.' });
            ctx.state.dailyReportCallsLeft--;
          }
          const meeting = ctx.state.meetings.get(uuid);
          if (!meeting || meeting.kind !== kind || clockNow(ctx.state) < meeting.reportReadyAt)
            return reply.code(404).send({
              code: 3001,
              message: `${kind === 'meeting' ? 'Meeting' : 'Webinar'} does not exist: ${uuid}.`,
            });
          const { slice, paging } = page(meeting.participants, request.query as Record<string, string>);
          return { ...paging, participants: slice.map((p, i) => ({ id: `p${i}`, user_id: '', ...p })) };
        });
        app.get(`/v2/${kind}s/:id/registrants`, async (request, reply) => {
          if (!authorized(request, reply)) return reply;
          const { id } = request.params as { id: string };
          const meeting = [...ctx.state.meetings.values()].find((m) => m.id === id && m.kind === kind);
          if (!meeting)
            return reply.code(404).send({ code: 3001, message: `Meeting does not exist: ${id}.` });
          if (!meeting.registrants)
            return reply
              .code(400)
              .send({ code: 200, message: `Registration has not been enabled for this meeting: ${id}.` });
          const { slice, paging } = page(meeting.registrants, request.query as Record<string, string>);
          return {
            ...paging,
            registrants: slice.map((email, i) => ({ id: `r${i}`, email, status: 'approved' })),
          };
        });
      }

      app.post(`${ADMIN_PREFIX}/meetings`, async (request, reply) => {
        const b = (request.body ?? {}) as Partial<SimMeeting> & { reportReadyAfterMinutes?: number };
        if (!b.uuid || !b.id || !b.topic || !b.start_time || !b.end_time)
          return reply.code(400).send({ error: 'give uuid, id, topic, start_time, end_time, participants' });
        const meeting: SimMeeting = {
          uuid: b.uuid,
          id: String(b.id),
          kind: b.kind ?? 'meeting',
          topic: b.topic,
          start_time: b.start_time,
          end_time: b.end_time,
          participants: b.participants ?? [],
          registrants: b.registrants,
          reportReadyAt: clockNow(ctx.state) + (b.reportReadyAfterMinutes ?? 0) * 60_000,
        };
        ctx.state.meetings.set(meeting.uuid, meeting);
        return { uuid: meeting.uuid, reportReadyAt: new Date(meeting.reportReadyAt).toISOString() };
      });
      app.get(`${ADMIN_PREFIX}/clock`, async () => ({ now: new Date(clockNow(ctx.state)).toISOString() }));
      /** `{ advanceMinutes }` (retries fall due on the way) or `{ now }` (never backwards). */
      app.post(`${ADMIN_PREFIX}/clock`, async (request) => {
        const b = (request.body ?? {}) as { advanceMinutes?: number; now?: string };
        const by =
          b.now !== undefined ? Date.parse(b.now) - clockNow(ctx.state) : (b.advanceMinutes ?? 0) * 60_000;
        await advanceClock(ctx.state, Math.max(0, by));
        return { now: new Date(clockNow(ctx.state)).toISOString() };
      });
      app.post(`${ADMIN_PREFIX}/webhook`, async (request, reply) => {
        const b = (request.body ?? {}) as { url?: string; secret?: string };
        if (!b.url || !b.secret) return reply.code(400).send({ error: 'give url and secret' });
        ctx.state.webhook = {
          url: b.url,
          secret: b.secret,
          validated: false,
          nextValidationAt: clockNow(ctx.state) + REVALIDATE_EVERY_MS,
        };
        return { validated: await validateEndpoint(ctx.state) };
      });
      app.post(`${ADMIN_PREFIX}/webhook/validate`, async (request) => ({
        validated: await validateEndpoint(ctx.state, (request.body ?? {}) as SendOptions),
      }));
      app.post(`${ADMIN_PREFIX}/webhook/send`, async (request, reply) => {
        const b = (request.body ?? {}) as { event?: string; payload?: unknown } & SendOptions;
        if (!b.event || !ctx.state.webhook)
          return reply.code(400).send({ error: 'subscribe, then give event and payload' });
        return { status: await sendEvent(ctx.state, b.event, b.payload ?? {}, b) };
      });
      app.get(`${ADMIN_PREFIX}/deliveries`, async () => ({
        deliveries: ctx.state.deliveries,
        pendingRetries: ctx.state.retries.map((r) => ({
          event: r.event,
          attempt: r.attempt,
          dueAt: new Date(r.dueAt).toISOString(),
        })),
      }));
      app.post(`${ADMIN_PREFIX}/daily-limit`, async (request) => {
        const b = (request.body ?? {}) as { remaining?: number | null };
        ctx.state.dailyReportCallsLeft = b.remaining ?? undefined;
        return { remaining: ctx.state.dailyReportCallsLeft ?? null };
      });
      app.post(`${ADMIN_PREFIX}/tokens/revoke`, async () => {
        ctx.state.tokens.clear();
        return { ok: true };
      });
    },
  });
}
