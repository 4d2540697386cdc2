// The circuit breaker's rules, pure so they are tested without a server: it opens after
// `failures` outage failures within `windowMs`, stays open `openForMs`, then half-opens and grants
// exactly one probe; the probe's success closes it, its failure opens it again. A breaker opened by
// hand (a person, a certificate's expiry) is held open until closed by hand: waiting would not fix it.

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * The connectors whose callers ask a breaker: those that write records. Salesforce and Zoom join
 * with their own names (see docs/operations.md, "Circuit breakers").
 */
export const GATED_CONNECTORS: readonly string[] = ['erpnext', 'erpnext-eu', 'servicenow'];

/** One breaker per connector and region: `breaker-erpnext`, `breaker-erpnext-eu`, ... */
export function breakerWorkflowId(connector: string): string {
  return `breaker-${connector}`;
}

export interface BreakerPolicy {
  /** Outage failures within the window that open the breaker. */
  failures: number;
  windowMs: number;
  /** How long it stays open before it half-opens. */
  openForMs: number;
  /** A granted probe that reports nothing for this long frees the probe slot again. */
  probeTimeoutMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  failures: 5,
  windowMs: 10 * 60_000,
  openForMs: 5 * 60_000,
  probeTimeoutMs: 5 * 60_000,
};

export interface BreakerCore {
  state: BreakerState;
  /** Times (ms) of the outage failures still inside the window. */
  failures: number[];
  /** When an open breaker half-opens; absent while held open by hand. */
  halfOpenAt?: number;
  /** Who opened it by hand (may probe while it is held). */
  heldBy?: string;
  /** The one probe a half-open breaker let through, until it reports or times out. */
  probe?: { by: string; until: number };
}

export type Permit =
  | { granted: true; state: BreakerState; probe: boolean }
  | { granted: false; state: BreakerState; reason: string; retryAt?: string };

export function closedCore(): BreakerCore {
  return { state: 'closed', failures: [] };
}

/** Half-opens an open breaker whose time is up; frees a probe slot that timed out. */
export function tick(core: BreakerCore, now: number): BreakerState | undefined {
  if (core.state === 'half-open' && core.probe && core.probe.until <= now) core.probe = undefined;
  if (core.state !== 'open' || core.halfOpenAt === undefined || core.halfOpenAt > now) return undefined;
  core.state = 'half-open';
  core.halfOpenAt = undefined;
  core.probe = undefined;
  return 'half-open';
}

/** May `by` call the vendor now? A half-open breaker hands its single probe to the first asker. */
export function permit(core: BreakerCore, by: string, now: number, policy: BreakerPolicy): Permit {
  tick(core, now);
  if (core.state === 'closed') return { granted: true, state: 'closed', probe: false };
  if (core.state === 'open') {
    if (core.heldBy !== undefined && core.heldBy === by) return { granted: true, state: 'open', probe: true };
    const retryAt = core.halfOpenAt !== undefined ? new Date(core.halfOpenAt).toISOString() : undefined;
    return {
      granted: false,
      state: 'open',
      reason: retryAt ? `breaker open until ${retryAt}` : `breaker held open by ${core.heldBy ?? 'a person'}`,
      retryAt,
    };
  }
  if (core.probe)
    return {
      granted: false,
      state: 'half-open',
      reason: `breaker half-open: ${core.probe.by} is probing`,
      retryAt: new Date(core.probe.until).toISOString(),
    };
  core.probe = { by, until: now + policy.probeTimeoutMs };
  return { granted: true, state: 'half-open', probe: true };
}

/** Counts an outage failure; returns 'open' when it opened (or re-opened) the breaker. */
export function recordFailure(
  core: BreakerCore,
  by: string,
  now: number,
  policy: BreakerPolicy,
): 'open' | undefined {
  if (core.state === 'half-open') {
    if (core.probe?.by !== by) return undefined; // only the probe's answer counts while half-open
    return openFor(core, now, policy);
  }
  if (core.state === 'open') return undefined; // calls let through before it opened, answering late
  core.failures = core.failures.filter((at) => at > now - policy.windowMs);
  core.failures.push(now);
  return core.failures.length >= policy.failures ? openFor(core, now, policy) : undefined;
}

/** A successful call: the probe's (or the holder's) success closes the breaker. */
export function recordSuccess(core: BreakerCore, by: string): 'closed' | undefined {
  const probing = core.state === 'half-open' && core.probe?.by === by;
  const holder = core.state === 'open' && core.heldBy === by;
  return probing || holder ? close(core) : undefined;
}

/** Opened by hand: held open until closed by hand. */
export function holdOpen(core: BreakerCore, by: string): 'open' | undefined {
  if (core.state === 'open' && core.heldBy !== undefined) return undefined;
  Object.assign(core, { state: 'open', heldBy: by, halfOpenAt: undefined, probe: undefined });
  return 'open';
}

export function close(core: BreakerCore): 'closed' | undefined {
  if (core.state === 'closed') return undefined;
  Object.assign(core, closedCore(), { heldBy: undefined, halfOpenAt: undefined, probe: undefined });
  return 'closed';
}

/** When the breaker changes by itself next (half-opens, or a probe slot frees). */
export function nextChangeAt(core: BreakerCore): number | undefined {
  if (core.state === 'open') return core.halfOpenAt;
  if (core.state === 'half-open') return core.probe?.until;
  return undefined;
}

function openFor(core: BreakerCore, now: number, policy: BreakerPolicy): 'open' {
  Object.assign(core, {
    state: 'open',
    failures: [],
    halfOpenAt: now + policy.openForMs,
    heldBy: undefined,
    probe: undefined,
  });
  return 'open';
}
