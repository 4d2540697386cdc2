// Microsoft Teams through Microsoft Graph: a channel message with an Adaptive Card attachment.
// Posting channel messages needs a delegated token (app-only tokens are refused by Graph), so the
// connector holds a refresh token for a service account and exchanges it for access tokens.
// The Graph SDK's RetryHandler is turned off per request: Temporal owns retries.
import { randomUUID } from 'node:crypto';
import { Client, GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import type { Dispatcher } from 'undici';
import { fetchDispatcher, httpError, vendorFetch } from './https';
import { VendorError, describeFetchError, kindForStatus, parseRetryAfter } from './errors';
import { vendorTurn } from '../pacing/vendorPacers';

export interface TeamsClientOptions {
  graphBaseUrl: string;
  loginUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  extraCaPem?: string;
}

const SCOPE = 'https://graph.microsoft.com/ChannelMessage.Send offline_access';

export class TeamsClient {
  private readonly dispatcher: Dispatcher;
  private readonly graph: Client;
  private token?: { value: string; expiresAt: number };

  constructor(private readonly options: TeamsClientOptions) {
    // An answer that takes longer fails the attempt (like Slack's client); the retry then checks
    // whether the post went through (findEvent) before posting again.
    this.dispatcher = fetchDispatcher(options.extraCaPem, { headersTimeoutMs: 15_000 });
    this.graph = Client.initWithMiddleware({
      authProvider: { getAccessToken: () => this.accessToken() },
      baseUrl: options.graphBaseUrl,
      customHosts: new Set([new URL(options.graphBaseUrl).hostname]),
      fetchOptions: { dispatcher: this.dispatcher } as RequestInit,
    });
  }

  /**
   * Posts an Adaptive Card with a plain-text line above it; returns the message id. With `eventId`
   * the card's attachment id is derived from it, so `findEvent` can tell whether it was posted.
   */
  async postCard(
    teamId: string,
    channelId: string,
    text: string,
    card: object,
    eventId?: string,
  ): Promise<{ id: string }> {
    const attachmentId = eventId ? eventAttachmentId(eventId) : randomUUID().replace(/-/g, '');
    const message = {
      body: {
        contentType: 'html',
        content: `${escapeHtml(text)}<attachment id="${attachmentId}"></attachment>`,
      },
      attachments: [
        {
          id: attachmentId,
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: JSON.stringify(card),
        },
      ],
    };
    const path = `/teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/messages`;
    await vendorTurn('teams'); // Graph calls go through the Graph SDK, not vendorFetch: paced here
    try {
      const created = (await this.graph
        .api(path)
        .middlewareOptions([new RetryHandlerOptions(0, 0)])
        .post(message)) as { id: string };
      return { id: String(created.id) };
    } catch (err) {
      // A revoked or expired access token: fetch a fresh one on the next attempt.
      if (err instanceof GraphError && err.statusCode === 401) this.token = undefined;
      throw toVendorError(err);
    }
  }

  /**
   * The id of a recent top-level message whose card was posted with this `eventId`, if any: a post
   * can reach Teams and still fail for us (a timeout), and a retry looks here before posting again.
   * Needs ChannelMessage.Read.All; without it Graph answers 403 and the caller posts.
   */
  async findEvent(teamId: string, channelId: string, eventId: string): Promise<string | undefined> {
    const path = `/teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/messages`;
    const wanted = eventAttachmentId(eventId);
    await vendorTurn('teams');
    try {
      const page = (await this.graph
        .api(path)
        .top(50)
        .middlewareOptions([new RetryHandlerOptions(0, 0)])
        .get()) as { value?: { id: string; attachments?: { id?: string }[] }[] };
      return page.value?.find((m) => m.attachments?.some((a) => a.id === wanted))?.id;
    } catch (err) {
      if (err instanceof GraphError && err.statusCode === 401) this.token = undefined;
      throw toVendorError(err);
    }
  }

  /** Exchanges the refresh token for an access token; cached until a minute before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const url = new URL(
      `${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`,
      this.options.loginUrl,
    );
    const { response, text } = await vendorFetch('teams', url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        refresh_token: this.options.refreshToken,
        scope: SCOPE,
      }),
      timeoutMs: 15_000,
      dispatcher: this.dispatcher,
    });
    const body = parseTokenAnswer(text);
    if (!response.ok || !body.access_token) {
      // invalid_grant / invalid_client: the credentials need a person, not a retry.
      const kind =
        response.status === 400 || response.status === 401 ? 'auth' : kindForStatus(response.status);
      throw httpError('teams', response, `token endpoint: ${body.error ?? `HTTP ${response.status}`}`, {
        kind,
        code: body.error,
      });
    }
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

function parseTokenAnswer(text: string): TokenAnswer {
  try {
    return JSON.parse(text) as TokenAnswer;
  } catch {
    return {}; // a proxy's error page: the status says enough
  }
}

function toVendorError(err: unknown): unknown {
  if (err instanceof VendorError) return err;
  if (err instanceof GraphError) {
    const status = err.statusCode > 0 ? err.statusCode : 503;
    return new VendorError(
      'teams',
      kindForStatus(status),
      `${err.code ?? 'HTTP'} ${status}: ${err.message}`,
      {
        status,
        code: err.code ?? undefined,
        retryAfterSeconds: parseRetryAfter(err.headers?.get('retry-after')),
      },
    );
  }
  return new VendorError('teams', 'unavailable', describeFetchError(err));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** Attachment ids are plain tokens: the event id's letters and digits, hex-escaping the rest. */
function eventAttachmentId(eventId: string): string {
  return `ev${[...eventId].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `_${c.charCodeAt(0).toString(16)}`)).join('')}`;
}
