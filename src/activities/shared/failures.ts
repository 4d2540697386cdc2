// Maps vendor errors to Temporal's retry decisions: 429 waits for the vendor's Retry-After,
// bad credentials and bad requests are non-retryable, everything else uses the retry policy.
import { ApplicationFailure, Context, metricMeter } from '@temporalio/activity';
import { currentActor, writeAudit } from '../../audit';
import { VendorError } from '../../vendors/errors';

/** `connector` (e.g. `erpnext-eu`) tells the workflow which region's breaker the failure counts against. */
export function asActivityFailure(err: unknown, connector?: string): unknown {
  if (!(err instanceof VendorError)) return err;
  const { retryAfterSeconds, status, code } = err.details;
  const details = [{ vendor: err.vendor, status, code, ...(connector && { connector }) }];
  switch (err.kind) {
    case 'rate-limited':
      return ApplicationFailure.create({
        message: err.message,
        type: 'RateLimited',
        details,
        nextRetryDelay:
          retryAfterSeconds !== undefined ? Math.max(1, Math.ceil(retryAfterSeconds)) * 1000 : undefined,
      });
    case 'auth':
      return ApplicationFailure.create({
        message: err.message,
        type: 'CredentialsRejected',
        nonRetryable: true,
        details,
      });
    case 'untrusted':
      return ApplicationFailure.create({
        message: err.message,
        type: 'UntrustedServer',
        nonRetryable: true,
        details,
      });
    case 'invalid':
      return ApplicationFailure.create({
        message: err.message,
        type: 'InvalidRequest',
        nonRetryable: true,
        details,
      });
    case 'unavailable':
      return ApplicationFailure.create({ message: err.message, type: 'VendorUnavailable', details });
  }
}

export interface VendorCallOptions {
  /** A write: the key of what it changes (channel, correlation id, record key), for the audit trail. */
  audit?: string;
}

/**
 * Runs a vendor call, records its latency and outcome as `integration_vendor_call_duration_seconds`
 * {connector, operation, outcome}, and rethrows a failure in Temporal's terms. A write (`audit`
 * set) also writes two audit lines per attempt with the run's actor: `sent` before the request
 * leaves, its outcome after. A process killed in between leaves the `sent` line, so the trail
 * never misses a write the vendor may have accepted.
 */
export async function vendorCall<T>(
  connector: string,
  operation: string,
  fn: () => Promise<T>,
  options: VendorCallOptions = {},
): Promise<T> {
  if (options.audit !== undefined) auditWrite(connector, operation, options.audit, 'sent');
  const started = performance.now();
  let outcome = 'success';
  try {
    return await fn();
  } catch (err) {
    outcome = err instanceof VendorError ? err.kind : 'error';
    throw asActivityFailure(err, connector);
  } finally {
    metricMeter
      .createHistogram(
        'integration_vendor_call_duration_seconds',
        'float',
        's',
        'Latency of calls to vendor APIs',
      )
      .record((performance.now() - started) / 1000, { connector, operation, outcome });
    if (options.audit !== undefined) auditWrite(connector, operation, options.audit, outcome);
  }
}

/** One audit line for a vendor write, with this activity's run, actor and attempt. */
export function auditWrite(
  connector: string,
  action: string,
  target: string,
  outcome: string,
  detail: Record<string, string | number | boolean> = {},
): void {
  const { workflowExecution, attempt, activityType } = Context.current().info;
  writeAudit({
    actor: currentActor(),
    connector,
    workflowId: workflowExecution?.workflowId ?? '',
    runId: workflowExecution?.runId ?? '',
    action,
    target,
    outcome,
    detail: { activity: activityType, attempt, ...detail },
  });
}
