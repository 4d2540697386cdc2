// The readiness checklist's result types and the rule that grades one connector.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface TlsFacts {
  /** The chain verified against trusted roots and the certificate matches the host name. */
  trusted: boolean;
  trustError?: string;
  subject: string;
  issuer: string;
  validTo: string;
  daysToExpiry: number;
}

export interface ConnectorCheck {
  connector: string;
  endpoint: string;
  reachable: boolean;
  credentialsAccepted: boolean;
  /** Absent for endpoints without TLS (plain HTTP, which only simulators use). */
  tls?: TlsFacts;
  /** A rotating credential (Slack's bot token): its age and expiry. */
  token?: TokenFacts;
  /** Each configured secret's age since its last rotation (unknown when nothing records it). */
  credentials?: CredentialAge[];
  error?: string;
}

export interface TokenFacts {
  refreshedAt: string;
  expiresAt: string;
  ageHours: number;
  expiresInHours: number;
}

/** A secret's last rotation, from `<NAME>_ROTATED_AT` or the `<NAME>_FILE` modification time. */
export interface CredentialRotation {
  secret: string;
  rotatedAt?: string;
}

export interface CredentialAge extends CredentialRotation {
  ageDays?: number;
}

/** The inventory's rotation rule: a secret older than this is reported until it is rotated. */
export const CREDENTIAL_WARN_DAYS = 30;

/** Below this the rotation (which refreshes 2 hours ahead) is overdue: warn while the token works. */
const TOKEN_WARN_HOURS = 1;

export interface GradedCheck extends ConnectorCheck {
  status: CheckStatus;
  reasons: string[];
}

export function gradeCheck(check: ConnectorCheck, certWarnDays: number): GradedCheck {
  const failures: string[] = [];
  const warnings: string[] = [];
  if (!check.reachable) failures.push(`unreachable${check.error ? `: ${check.error}` : ''}`);
  else if (!check.credentialsAccepted)
    failures.push(`credentials rejected${check.error ? `: ${check.error}` : ''}`);
  if (check.tls) {
    if (!check.tls.trusted) failures.push(`TLS not trusted: ${check.tls.trustError ?? 'unknown reason'}`);
    if (check.tls.daysToExpiry <= 0) failures.push(`certificate expired on ${check.tls.validTo}`);
    else if (check.tls.daysToExpiry < certWarnDays)
      warnings.push(`certificate expires in ${check.tls.daysToExpiry} days (${check.tls.validTo})`);
  }
  if (check.token) {
    if (check.token.expiresInHours <= 0) failures.push(`token expired at ${check.token.expiresAt}`);
    else if (check.token.expiresInHours < TOKEN_WARN_HOURS)
      warnings.push(`token expires at ${check.token.expiresAt} and was not refreshed (rotation overdue)`);
  }
  for (const credential of check.credentials ?? [])
    if (credential.ageDays !== undefined && credential.ageDays > CREDENTIAL_WARN_DAYS)
      warnings.push(
        `${credential.secret} is ${credential.ageDays} days old (rotated ${credential.rotatedAt}): rotate it`,
      );
  const status: CheckStatus = failures.length ? 'fail' : warnings.length ? 'warn' : 'ok';
  return { ...check, status, reasons: [...failures, ...warnings] };
}

/** Each secret's whole days since its rotation (rounded down), as of `now`. */
export function credentialAges(rotations: readonly CredentialRotation[], now: Date): CredentialAge[] {
  return rotations.map((r) =>
    r.rotatedAt
      ? { ...r, ageDays: Math.floor((now.getTime() - Date.parse(r.rotatedAt)) / 86_400_000) }
      : { ...r },
  );
}

/** Whole days left, rounded down, so "29.9 days" reads as 29 (a warning under a 30-day threshold). */
export function daysUntil(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
}

/** Host and port of an https origin such as `https://erp.example.com:8443` (no URL class needed). */
export function tlsTarget(origin: string): { host: string; port: number } | undefined {
  const match = /^https:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(origin);
  if (!match) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : 443 };
}
