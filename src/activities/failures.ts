// Maps vendor errors to Temporal's retry decisions: 429 waits for the vendor's Retry-After,
// bad credentials and bad requests are non-retryable, everything else uses the retry policy.
import { ApplicationFailure, metricMeter } from '@temporalio/activity';
import { VendorError } from '../vendors/errors';

export function asActivityFailure(err: unknown): unknown {
  if (!(err instanceof VendorError)) return err;
  const { retryAfterSeconds, status, code } = err.details;
  const details = [{ vendor: err.vendor, status, code }];
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

/**
 * Runs a vendor call, records its latency and outcome as `integration_vendor_call_duration_seconds`
 * {connector, operation, outcome}, and rethrows a failure in Temporal's terms.
 */
export async function vendorCall<T>(connector: string, operation: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'success';
  try {
    return await fn();
  } catch (err) {
    outcome = err instanceof VendorError ? err.kind : 'error';
    throw asActivityFailure(err);
  } finally {
    metricMeter
      .createHistogram(
        'integration_vendor_call_duration_seconds',
        'float',
        's',
        'Latency of calls to vendor APIs',
      )
      .record((performance.now() - started) / 1000, { connector, operation, outcome });
  }
}
