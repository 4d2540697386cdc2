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
  error?: string;
}

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
  const status: CheckStatus = failures.length ? 'fail' : warnings.length ? 'warn' : 'ok';
  return { ...check, status, reasons: [...failures, ...warnings] };
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
