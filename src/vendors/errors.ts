// One error type for every vendor client, so activities map failures to retry decisions in one place.

export type VendorErrorKind =
  | 'rate-limited' // 429: retry after the vendor's Retry-After
  | 'unavailable' // 5xx, timeouts, network: retry with backoff
  | 'auth' // credentials rejected: a person must fix them, do not retry
  | 'untrusted' // the server is not the one pinned (SSH host key): a possible attack, do not retry
  | 'invalid'; // the request itself is wrong: do not retry

export class VendorError extends Error {
  constructor(
    readonly vendor: string,
    readonly kind: VendorErrorKind,
    message: string,
    readonly details: { status?: number; code?: string; retryAfterSeconds?: number } = {},
  ) {
    super(`${vendor}: ${message}`);
    this.name = 'VendorError';
  }
}

/** Retry-After is seconds (possibly fractional) or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export function kindForStatus(status: number): VendorErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500 || status === 408) return 'unavailable';
  return 'invalid';
}

/** fetch() hides the network cause (ECONNREFUSED, certificate errors) one level down. */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}: ${cause.message ?? ''}`.trim() : (err as Error).message;
}
