// Slack Web API client. The SDK's own retry loop is off: Temporal owns retries, and a 429 surfaces
// at once with its Retry-After so the activity can schedule the next attempt.
import { ErrorCode, LogLevel, WebClient, type Block, type KnownBlock } from '@slack/web-api';
import { httpsAgent } from './https';
import { VendorError, kindForStatus } from './errors';
import { vendorTurn } from '../pacing/vendorPacers';

const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_expired',
  'token_revoked',
  'account_inactive',
  'missing_scope',
]);
const RETRYABLE_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'service_unavailable',
  'fatal_error',
]);

export interface SlackClientOptions {
  apiUrl: string;
  /** A fixed bot token, or a source read on every call (rotating tokens; it throws when none is usable). */
  botToken: string | (() => string);
  extraCaPem?: string;
  timeoutMs?: number;
}

const EVENT_TYPE = 'integration_alert';

export class SlackClient {
  private readonly web: WebClient;
  private readonly channelIds = new Map<string, string>();
  private readonly tokenSource: () => string;

  constructor(options: SlackClientOptions) {
    const { botToken } = options;
    this.tokenSource = typeof botToken === 'string' ? () => botToken : botToken;
    this.web = new WebClient(undefined, {
      slackApiUrl: options.apiUrl,
      agent: httpsAgent(options.extraCaPem),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 15_000,
      logLevel: LogLevel.ERROR,
    });
  }

  /**
   * Posts a message; returns the channel id and the message's ts (a string id, never a number).
   * `eventId` goes into the message's metadata, so `findEvent` can tell whether it was posted.
   */
  async postMessage(
    channel: string,
    text: string,
    blocks: object[],
    eventId?: string,
  ): Promise<{ channel: string; ts: string }> {
    // Slack's budget is chat.postMessage's (about one a second); its reads have tiers of their own.
    await vendorTurn('slack');
    const result = await this.call(() =>
      this.web.chat.postMessage({
        token: this.token(),
        channel,
        text,
        blocks: blocks as (Block | KnownBlock)[],
        ...(eventId && { metadata: { event_type: EVENT_TYPE, event_payload: { event_id: eventId } } }),
      }),
    );
    const posted = { channel: String(result.channel ?? channel), ts: String(result.ts) };
    this.channelIds.set(channel, posted.channel);
    return posted;
  }

  /**
   * The ts of a recent message posted with this `eventId`, if any. A post can reach Slack and still
   * fail for us (a timeout): a retry looks here first instead of posting twice.
   */
  async findEvent(channel: string, eventId: string): Promise<string | undefined> {
    const id = await this.channelId(channel);
    if (!id) return undefined;
    const history = await this.call(() =>
      this.web.conversations.history({
        token: this.token(),
        channel: id,
        limit: 50,
        include_all_metadata: true,
      }),
    );
    const found = history.messages?.find(
      (m) =>
        m.metadata?.event_type === EVENT_TYPE &&
        (m.metadata.event_payload as { event_id?: unknown } | undefined)?.event_id === eventId,
    );
    return found?.ts;
  }

  /** conversations.history takes an id, SLACK_CHANNEL may be a name: look it up once. */
  private async channelId(channel: string): Promise<string | undefined> {
    const known = this.channelIds.get(channel) ?? (/^[CG][A-Z0-9]+$/.test(channel) ? channel : undefined);
    if (known) return known;
    const name = channel.replace(/^#/, '');
    const list = await this.call(() =>
      this.web.conversations.list({
        token: this.token(),
        limit: 1000,
        exclude_archived: true,
        types: 'public_channel',
      }),
    );
    const id = list.channels?.find((c) => c.name === name)?.id;
    if (id) this.channelIds.set(channel, id);
    return id;
  }

  /** A user's id and the name people know them by (display name, else real name, else handle). */
  async userInfo(userId: string): Promise<{ id: string; name: string }> {
    const result = await this.call(() => this.web.users.info({ token: this.token(), user: userId }));
    const user = result.user ?? {};
    const name = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name;
    return { id: userId, name: name || userId };
  }

  /** The user ids in a user group (`S…`). */
  async usergroupMembers(usergroup: string): Promise<string[]> {
    const result = await this.call(() => this.web.usergroups.users.list({ token: this.token(), usergroup }));
    return result.users ?? [];
  }

  /** Verifies the token; returns the workspace and bot user. */
  async authTest(): Promise<{ team: string; user: string }> {
    const result = await this.call(() => this.web.auth.test({ token: this.token() }));
    return { team: String(result.team ?? ''), user: String(result.user ?? '') };
  }

  /** Token rotation: trades the refresh token for a new bot token and refresh token (the old one is revoked). */
  async refreshToken(clientId: string, clientSecret: string, refreshToken: string) {
    const result = await this.call(() =>
      this.web.oauth.v2.access({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    );
    if (!result.access_token || !result.refresh_token || !result.expires_in)
      throw new VendorError('slack', 'invalid', 'oauth.v2.access answered without a rotating token');
    return {
      accessToken: result.access_token,
      refreshToken: result.refresh_token,
      expiresInSeconds: result.expires_in,
    };
  }

  private token(): string {
    try {
      return this.tokenSource();
    } catch (err) {
      throw new VendorError('slack', 'auth', (err as Error).message);
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toVendorError(err);
    }
  }
}

function toVendorError(err: unknown): unknown {
  const coded = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (coded.code) {
    case ErrorCode.RateLimitedError:
      return new VendorError('slack', 'rate-limited', 'rate limited', {
        status: 429,
        retryAfterSeconds: coded.retryAfter,
      });
    case ErrorCode.PlatformError: {
      const code = coded.data?.error ?? 'unknown_error';
      const kind = AUTH_ERRORS.has(code)
        ? 'auth'
        : RETRYABLE_PLATFORM_ERRORS.has(code)
          ? 'unavailable'
          : 'invalid';
      return new VendorError('slack', kind, code, { code });
    }
    case ErrorCode.HTTPError:
      return new VendorError('slack', kindForStatus(coded.statusCode ?? 500), `HTTP ${coded.statusCode}`, {
        status: coded.statusCode,
      });
    case ErrorCode.RequestError:
      return new VendorError('slack', 'unavailable', (err as Error).message);
    default:
      return err;
  }
}
