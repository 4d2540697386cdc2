// The audit event a workflow hands to the worker's `audit` sink, and the header that carries a
// workflow's actor to its activities. Shared by workflow code and the worker: pure, no I/O.

/** One audit line as workflow code sees it; the worker adds the time, workflow id and run id. */
export interface AuditEvent {
  actor: string;
  connector: string;
  action: string;
  target: string;
  outcome: string;
  detail?: Record<string, string | number | boolean>;
}

/** Activity header with the actor of the workflow that scheduled the activity. */
export const AUDIT_ACTOR_HEADER = 'audit-actor';

/** The person named by a signal's or update's argument (`who`, or `by` for breaker signals). */
export function personOf(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { who, by } = arg as { who?: unknown; by?: unknown };
  const person = typeof who === 'string' ? who : typeof by === 'string' ? by : undefined;
  return person?.trim() ? person.trim().slice(0, 100) : undefined;
}
