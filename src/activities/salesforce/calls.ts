// Every Salesforce call of an activity goes through `sfCall`: latency and outcome metrics, Temporal's
// retry decisions (vendorCall), and the one exception to them: a spent allocation (403
// REQUEST_LIMIT_EXCEEDED) is a non-retryable `SalesforceLimitExceeded` the workflow parks on,
// because retrying against it only burns what is left.
import { ApplicationFailure } from '@temporalio/activity';
import { SALESFORCE_CONNECTOR } from '../../domain/salesforce';
import { LimitExceededError } from '../../vendors/salesforce/client';
import { vendorCall, type VendorCallOptions } from '../shared/failures';

export const LIMIT_EXCEEDED = 'SalesforceLimitExceeded';

export function sfCall<T>(operation: string, fn: () => Promise<T>, options?: VendorCallOptions): Promise<T> {
  return vendorCall(
    SALESFORCE_CONNECTOR,
    operation,
    async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof LimitExceededError)
          throw ApplicationFailure.create({
            message: err.message,
            type: LIMIT_EXCEEDED,
            nonRetryable: true,
            details: [err.usage ?? null],
          });
        throw err;
      }
    },
    options,
  );
}

export function notConfigured(): ApplicationFailure {
  return ApplicationFailure.create({
    message:
      'Salesforce is not configured (SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET)',
    type: 'NotConfigured',
    nonRetryable: true,
  });
}
