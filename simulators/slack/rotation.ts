// Slack token rotation: `oauth.v2.access` with `grant_type=refresh_token` issues a new bot token
// (`xoxe.xoxb-…`, expires_in 43200 s = 12 h) and a new refresh token; the used refresh token is
// revoked. An expired rotating token is refused with `token_expired`. The clock is the simulator's
// own (`POST /__admin/clock {advanceSeconds}`), so a test can let 12 hours pass.

export const ROTATING_TOKEN_LIFETIME_SECONDS = 43_200;

export interface RotationState {
  clockOffsetMs: number;
  /** Rotating access tokens and when they expire (simulator clock, ms). */
  accessTokens: Record<string, number>;
  /** Refresh tokens that may still be used once. */
  refreshTokens: string[];
  refreshes: number;
}

export interface RotationOptions {
  clientId: string;
  clientSecret: string;
  /** The first refresh token (from the app's install), default `xoxe-1-sim-initial`. */
  initialRefreshToken: string;
}

export function createRotationState(options: RotationOptions): RotationState {
  return { clockOffsetMs: 0, accessTokens: {}, refreshTokens: [options.initialRefreshToken], refreshes: 0 };
}

export const simNow = (state: RotationState) => Date.now() + state.clockOffsetMs;

/** `ok`, `token_expired`, or undefined when the token is not a rotating one. */
export function rotatingTokenStatus(state: RotationState, token: string): 'ok' | 'token_expired' | undefined {
  const expiresAt = state.accessTokens[token];
  if (expiresAt === undefined) return undefined;
  return simNow(state) < expiresAt ? 'ok' : 'token_expired';
}

export type RefreshResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

export function refreshToken(
  state: RotationState,
  options: RotationOptions,
  args: Record<string, unknown>,
  team: { id: string; name: string },
  botUserId: string,
): RefreshResult {
  if (args.client_id !== options.clientId || args.client_secret !== options.clientSecret)
    return { ok: false, error: 'invalid_client_id' };
  if (args.grant_type !== 'refresh_token') return { ok: false, error: 'invalid_grant_type' };
  const used = String(args.refresh_token ?? '');
  const index = state.refreshTokens.indexOf(used);
  if (index < 0) return { ok: false, error: 'invalid_refresh_token' };
  state.refreshTokens.splice(index, 1);
  const n = ++state.refreshes;
  const accessToken = `xoxe.xoxb-sim-${n}-${Math.random().toString(36).slice(2, 10)}`;
  const nextRefresh = `xoxe-1-sim-${n}-${Math.random().toString(36).slice(2, 10)}`;
  state.accessTokens[accessToken] = simNow(state) + ROTATING_TOKEN_LIFETIME_SECONDS * 1000;
  state.refreshTokens.push(nextRefresh);
  return {
    ok: true,
    body: {
      app_id: 'A0SIMAPP01',
      scope: 'chat:write,users:read,usergroups:read,commands',
      token_type: 'bot',
      access_token: accessToken,
      refresh_token: nextRefresh,
      expires_in: ROTATING_TOKEN_LIFETIME_SECONDS,
      bot_user_id: botUserId,
      team,
      enterprise: null,
      is_enterprise_install: false,
    },
  };
}
