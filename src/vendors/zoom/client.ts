// Zoom REST client: Server-to-Server OAuth (account_credentials) with the token kept until shortly
// before it expires and fetched again once on a 401; the past-meeting participant report and the
// registrants (invitees), page by page on next_page_token. No Temporal: errors are VendorErrors.
import type { Dispatcher } from 'undici';
import { VendorError } from '../errors';
import { fetchDispatcher, httpError, vendorFetch } from '../https';
import type { ParticipantJoin, ZoomMeetingKind } from '../../domain/zoom';
import { errorBody, participantsPage, registrantsPage, tokenAnswer } from './wire';

export interface ZoomClientOptions {
  /** https://api.zoom.us/v2/ */
  apiUrl: string;
  /** https://zoom.us/ (the token endpoint is oauth/token under it) */
  oauthUrl: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  extraCaPem?: string;
  timeoutMs?: number;
  /** Rows per report page (Zoom allows up to 300). */
  pageSize?: number;
}

/** Renew this long before Zoom's expiry, so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;

export class ZoomClient {
  private readonly dispatcher: Dispatcher;
  private token?: Promise<{ value: string; expiresAt: number }>;

  constructor(private readonly options: ZoomClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  /** A valid access token: the cached one, or a new one (one request shared by concurrent callers). */
  async accessToken(now = Date.now()): Promise<string> {
    const cached = await this.token?.catch(() => undefined);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now) return cached.value;
    this.token = this.fetchToken();
    return (await this.token).value;
  }

  private async fetchToken(): Promise<{ value: string; expiresAt: number }> {
    const url = new URL('oauth/token', this.options.oauthUrl);
    url.search = new URLSearchParams({
      grant_type: 'account_credentials',
      account_id: this.options.accountId,
    }).toString();
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const { response, text } = await vendorFetch('zoom', url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
      timeoutMs: this.options.timeoutMs ?? 30_000,
      dispatcher: this.dispatcher,
    });
    // The token endpoint answers 400 invalid_client for bad credentials: a person must fix them.
    if (response.status === 400 || response.status === 401)
      throw httpError('zoom', response, `token refused (HTTP ${response.status})`, { kind: 'auth' });
    if (!response.ok) throw httpError('zoom', response, `token endpoint HTTP ${response.status}`);
    const body = tokenAnswer.parse(JSON.parse(text));
    return { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  }

  /**
   * Every join of the participant report, all pages; `undefined` while Zoom has not made the report
   * yet (it answers 404 "meeting does not exist" for a while after the meeting ended).
   */
  async participantReport(
    kind: ZoomMeetingKind,
    meetingUuid: string,
    onPage?: (page: number) => void,
  ): Promise<ParticipantJoin[] | undefined> {
    const joins: ParticipantJoin[] = [];
    let pageToken = '';
    for (let page = 1; ; page++) {
      const answer = await this.get(`report/${kind}s/${uuidPath(meetingUuid)}/participants`, {
        page_size: String(this.options.pageSize ?? 300),
        ...(pageToken && { next_page_token: pageToken }),
      });
      if (answer === 'not-found') return undefined;
      const body = participantsPage.parse(answer);
      for (const p of body.participants)
        joins.push({ name: p.name, email: p.user_email || undefined, durationSeconds: p.duration });
      onPage?.(page);
      pageToken = body.next_page_token;
      if (!pageToken) return joins;
    }
  }

  /** Approved registrants' e-mail addresses; `undefined` when the meeting has no registration. */
  async registrants(kind: ZoomMeetingKind, meetingId: string): Promise<string[] | undefined> {
    const emails: string[] = [];
    let pageToken = '';
    for (;;) {
      const answer = await this.get(`${kind}s/${encodeURIComponent(meetingId)}/registrants`, {
        status: 'approved',
        page_size: '300',
        ...(pageToken && { next_page_token: pageToken }),
      });
      if (answer === 'not-found') return undefined;
      const body = registrantsPage.parse(answer);
      emails.push(...body.registrants.map((r) => r.email));
      pageToken = body.next_page_token;
      if (!pageToken) return emails;
    }
  }

  /** GET with the bearer token; one new token on a 401; 404 and "registration disabled" → not-found. */
  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.options.apiUrl);
    url.search = new URLSearchParams(query).toString();
    for (let attempt = 1; ; attempt++) {
      const { response, text } = await vendorFetch('zoom', url, {
        method: 'GET',
        headers: { authorization: `Bearer ${await this.accessToken()}`, accept: 'application/json' },
        timeoutMs: this.options.timeoutMs ?? 30_000,
        dispatcher: this.dispatcher,
      });
      if (response.ok) return JSON.parse(text);
      const error = errorBody.safeParse(safeJson(text));
      const code = error.success ? error.data.code : undefined;
      const message = `HTTP ${response.status}${code ? ` code ${code}` : ''}: ${(error.success && error.data.message) || path.split('/')[0]}`;
      if (response.status === 401 && attempt === 1) {
        this.token = undefined;
        continue;
      }
      if (response.status === 404 || (response.status === 400 && code === REGISTRATION_DISABLED))
        return 'not-found';
      if (response.status === 429) throw rateLimited(response, message);
      throw httpError('zoom', response, message, { code: code === undefined ? undefined : String(code) });
    }
  }
}

/** Zoom's code for "registration has not been enabled for this meeting" (no invitee list). */
const REGISTRATION_DISABLED = 200;

/**
 * A 429: per-second limits carry Retry-After in seconds; the daily limit of the heavy (report) APIs
 * says `X-RateLimit-Type: Daily-limit` and Retry-After holds the time it resets.
 */
function rateLimited(response: Response, message: string): VendorError {
  const type = response.headers.get('x-ratelimit-type') ?? '';
  const described = `${message}${type ? ` (${type})` : ''}`;
  const error = httpError('zoom', response, described);
  if (error.details.retryAfterSeconds === undefined && /daily/i.test(type))
    return new VendorError('zoom', 'rate-limited', described, {
      ...error.details,
      retryAfterSeconds: secondsToNextUtcMidnight(),
    });
  return error;
}

function secondsToNextUtcMidnight(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.ceil((next.getTime() - now) / 1000);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Zoom wants a UUID that starts with `/` or holds `//` encoded twice in the path. */
export function uuidPath(uuid: string): string {
  const once = encodeURIComponent(uuid);
  return uuid.startsWith('/') || uuid.includes('//') ? encodeURIComponent(once) : once;
}
