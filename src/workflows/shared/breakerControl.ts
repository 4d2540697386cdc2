// Opening and closing a connector's breaker from another workflow (people's and renewals' hold),
// and the first way of waiting out an outage, kept for imports started before the gate
// (breakerGate.ts replaced it): `callThroughBreaker` runs a vendor step; when the step fails for an outage (after its own retries)
// it opens `breaker-<connector>`, announces it, probes on a durable timer until the vendor answers,
// closes and announces the breaker, then runs the same step again.
import type { Duration } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  getExternalWorkflowHandle,
  patched,
  sleep,
} from '@temporalio/workflow';
import { announce } from './announce';
import { connectorAttributes } from './childAttributes';
import { breakerWorkflowId, circuitBreaker, closeBreaker, openBreaker } from '../circuitBreaker';
import { startChildOnce } from './startChildOnce';

/** Starts the connector's breaker workflow if needed, then opens it. */
export async function openConnectorBreaker(connector: string, by: string, reason: string): Promise<void> {
  const workflowId = breakerWorkflowId(connector);
  await startChildOnce(circuitBreaker, {
    workflowId,
    args: [{ connector }],
    typedSearchAttributes: connectorAttributes(connector),
    staticSummary: `Circuit breaker: ${connector}`,
  });
  // The breaker refuses reasons over 500 characters (a vendor's error page can be longer).
  await getExternalWorkflowHandle(workflowId).signal(openBreaker, { by, reason: reason.slice(0, 500) });
}

export async function closeConnectorBreaker(connector: string, by: string, reason: string): Promise<void> {
  await getExternalWorkflowHandle(breakerWorkflowId(connector)).signal(closeBreaker, {
    by,
    reason: reason.slice(0, 500),
  });
}

const OUTAGE_TYPES = new Set(['VendorUnavailable', 'RateLimited']);

/** The vendor named by a failed activity's error details, when the failure is an outage. */
export function outageVendor(err: unknown): string | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof TimeoutFailure) return 'unknown';
  if (!(cause instanceof ApplicationFailure) || !OUTAGE_TYPES.has(cause.type ?? '')) return undefined;
  const [detail] = (cause.details ?? []) as { vendor?: string }[];
  return detail?.vendor ?? 'unknown';
}

export interface BreakerOptions {
  connector: string;
  /** Which vendor's outages this breaker covers (the `vendor` in the error details). */
  vendor: string;
  /** Who opens it, for the breaker's transition log (usually the workflow type). */
  by: string;
  /** Resolves when the vendor answers again; throws (an outage) while it does not. */
  probe: () => Promise<void>;
  probeEvery: Duration;
  /** Called after the breaker closes, e.g. to count the outage in a report. */
  onOutage?: (reason: string) => void;
}

export async function callThroughBreaker<T>(options: BreakerOptions, step: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await step();
    } catch (err) {
      const vendor = outageVendor(err);
      if (vendor !== options.vendor && vendor !== 'unknown') throw err;
      const reason = (err as ActivityFailure).cause?.message ?? (err as Error).message;
      await openConnectorBreaker(options.connector, options.by, reason);
      const opened = announce({
        title: `${options.connector} circuit breaker open`,
        severity: 'critical',
        summary: `${options.by} stopped writing to ${options.connector} after repeated failures: ${reason}. It probes every ${String(options.probeEvery)} and resumes where it stopped.`,
        connector: options.connector,
      });
      opened.catch(() => undefined); // its failure surfaces where it is awaited, not as unhandled
      // Probing starts at once, not after a chat outage's failover; runs from before awaited here.
      if (!patched('breaker-probes-beside-the-alert')) await opened;
      for (;;) {
        await sleep(options.probeEvery);
        try {
          await options.probe();
          break;
        } catch (probeErr) {
          if (outageVendor(probeErr) === undefined) throw probeErr;
        }
      }
      await closeConnectorBreaker(options.connector, options.by, 'probe succeeded');
      await opened; // "closed" never goes out before "open"
      await announce({
        title: `${options.connector} circuit breaker closed`,
        severity: 'info',
        summary: `${options.connector} answers again; ${options.by} resumes.`,
        connector: options.connector,
      });
      options.onOutage?.(reason);
    }
  }
}
