// The daily API allocation as the workflows see it: every Salesforce activity reports the usage the
// last answer carried; under the reserve (or on 403 REQUEST_LIMIT_EXCEEDED) the run parks on a
// durable timer, says so once, and goes on when /limits shows room again. Retries are never spent
// against an exhausted allocation.
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  sleep,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../../activities';
import { headroom, SALESFORCE_CONNECTOR, type ApiUsage } from '../../domain/salesforce';
import { announce } from '../shared/announce';

export const LIMIT_EXCEEDED = 'SalesforceLimitExceeded';

const { salesforceLimits } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export function isLimitExceeded(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === LIMIT_EXCEEDED;
}

export interface LimitGuard {
  reserve: number;
  parkFor: Duration;
  /** Times this run parked. */
  parked: number;
}

/** Parks until /limits shows more than `reserve` requests left. */
export async function parkUntilRoom(
  guard: LimitGuard,
  usage: ApiUsage | undefined,
  what: string,
): Promise<void> {
  guard.parked++;
  await announce({
    title: 'Salesforce API allocation low: parked',
    severity: 'warning',
    summary: `${what} is parked: ${usage ? `${usage.used} of ${usage.max}` : 'all'} daily API requests are used and ${guard.reserve} are kept in reserve. It goes on by itself once the rolling 24-hour allocation frees up.`,
    facts: usage ? [{ name: 'API usage', value: `${usage.used}/${usage.max}` }] : [],
    connector: SALESFORCE_CONNECTOR,
  });
  for (;;) {
    setCurrentDetails(
      `Parked: Salesforce API allocation under the reserve of ${guard.reserve}; looking again every ${String(guard.parkFor)}.`,
    );
    await sleep(guard.parkFor);
    try {
      const now = await salesforceLimits();
      if (headroom(now, guard.reserve) > 0) return;
    } catch (err) {
      if (!isLimitExceeded(err)) throw err;
    }
  }
}

/**
 * Runs one Salesforce step: parks first when the last known usage is under the reserve, and when the
 * step itself met 403 REQUEST_LIMIT_EXCEEDED parks and runs it again (a step changes nothing before
 * its answer, and writes are idempotent, so the repeat neither loses nor doubles anything).
 */
export async function withinAllocation<T extends { usage?: ApiUsage }>(
  guard: LimitGuard,
  state: { usage?: ApiUsage },
  what: string,
  step: () => Promise<T>,
): Promise<T> {
  for (;;) {
    if (headroom(state.usage, guard.reserve) <= 0) {
      await parkUntilRoom(guard, state.usage, what);
      state.usage = undefined;
    }
    try {
      const result = await step();
      if (result.usage) state.usage = result.usage;
      return result;
    } catch (err) {
      if (!isLimitExceeded(err)) throw err;
      const cause = (err as ActivityFailure).cause as ApplicationFailure;
      state.usage = (cause.details?.[0] as ApiUsage | null) ?? { used: 1, max: 1 };
    }
  }
}
