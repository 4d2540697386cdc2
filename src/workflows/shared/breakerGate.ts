// Every caller of a connector that writes asks its breaker first (`breaker-<connector>`, one per
// region): `throughBreaker` refuses at once while it is open (redrives, readiness probes, renewals,
// and the hook for other connectors' workflows), `waitThroughBreaker` waits on durable timers until
// the breaker lets a call through (long imports). Both report outage failures to the breaker, and
// a probe's success, so the breaker counts failures in its window and closes after a good probe.
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  sleep,
  type ActivityFailure,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { breakerWorkflowId, type Permit } from '../../domain/breaker';
import { outcomeSignal } from '../circuitBreaker/gatingRun';
import { outageVendor } from './breakerControl';

const asking = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export function askBreaker(connector: string, by: string): Promise<Permit> {
  return asking.askBreaker.executeWithOptions({ summary: `askBreaker: ${connector}` }, [{ connector, by }]);
}

/** The connector an outage failure names (`erpnext-eu`), or `fallback` when it names none. */
export function outageConnector(err: unknown, fallback: string): string | undefined {
  if (outageVendor(err) === undefined) return undefined;
  const cause = (err as { cause?: { details?: { connector?: string }[] } }).cause;
  return cause?.details?.[0]?.connector ?? fallback;
}

export async function reportOutcome(
  connector: string,
  by: string,
  ok: boolean,
  reason?: string,
): Promise<void> {
  await getExternalWorkflowHandle(breakerWorkflowId(connector)).signal(outcomeSignal, {
    by,
    ok,
    ...(reason !== undefined && { reason: reason.slice(0, 500) }),
  });
}

/** A non-retryable `BreakerOpen` failure: what a refused caller reports to its own caller. */
export function breakerOpenFailure(connector: string, permit: Permit): ApplicationFailure {
  const reason = permit.granted ? 'breaker open' : permit.reason;
  return ApplicationFailure.create({
    type: 'BreakerOpen',
    nonRetryable: true,
    message: `${connector}: ${reason}; not called`,
    details: [{ connector, state: permit.state, retryAt: permit.granted ? undefined : permit.retryAt }],
  });
}

/** Runs `call` under a granted permit; reports its outage failure, or the probe's success. */
async function reporting<T>(
  connector: string,
  by: string,
  permit: Permit,
  call: () => Promise<T>,
): Promise<T> {
  try {
    const result = await call();
    if (permit.granted && permit.probe) await reportOutcome(connector, by, true);
    return result;
  } catch (err) {
    const failed = outageConnector(err, connector);
    const reason = (err as ActivityFailure).cause?.message ?? (err as Error).message;
    if (failed !== undefined) await reportOutcome(failed, by, false, reason);
    throw err;
  }
}

/** One call through `connector`'s breaker: refused (BreakerOpen) while it is open. */
export async function throughBreaker<T>(connector: string, by: string, call: () => Promise<T>): Promise<T> {
  const permit = await askBreaker(connector, by);
  if (!permit.granted) throw breakerOpenFailure(connector, permit);
  return reporting(connector, by, permit, call);
}

/** How long a refused caller sleeps when the breaker names no time (held open by a person). */
const HELD_OPEN_RECHECK_MS = 5 * 60_000;

/**
 * Asks the breaker of each connector (one per region) and runs `call` with the ones that refused,
 * so a call writing to several regions skips (defers) only the refused ones; while every breaker
 * refuses it waits on a durable timer. An outage failure is reported to the breaker of the region
 * it names and the call asked for again (the breaker opens once enough came in its window).
 * `onWait` hears each refusal, e.g. to count an outage in a report.
 */
export async function waitThroughBreakers<T>(
  connectors: readonly string[],
  by: string,
  call: (refused: string[]) => Promise<T>,
  onWait?: (connector: string, permit: Permit) => void,
): Promise<T> {
  for (;;) {
    const asked = await Promise.all(
      connectors.map(async (connector) => ({ connector, permit: await askBreaker(connector, by) })),
    );
    const refused = asked.filter(({ permit }) => !permit.granted);
    for (const { connector, permit } of refused) onWait?.(connector, permit);
    if (refused.length === asked.length) {
      const soonest = Math.min(
        ...refused.map(({ permit }) =>
          !permit.granted && permit.retryAt ? Date.parse(permit.retryAt) : Date.now() + HELD_OPEN_RECHECK_MS,
        ),
      );
      await sleep(Math.max(1_000, soonest - Date.now()));
      continue;
    }
    try {
      const result = await call(refused.map((r) => r.connector));
      for (const { connector, permit } of asked)
        if (permit.granted && permit.probe) await reportOutcome(connector, by, true);
      return result;
    } catch (err) {
      const failed = outageConnector(err, connectors[0] ?? '');
      if (failed === undefined) throw err;
      await reportOutcome(
        failed,
        by,
        false,
        (err as ActivityFailure).cause?.message ?? (err as Error).message,
      );
    }
  }
}
