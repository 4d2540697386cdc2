// A call an activity makes to Temporal about another workflow (a query, an update, a
// signal-with-start). Queries and updates wait for a worker of that workflow's task queue, and
// Temporal holds them as long as none polls (a worker shutting down, all workers gone): unbounded,
// such a call would hang the activity past its timeout and its worker's shutdown with it. So each
// is bounded by a deadline and ends with the activity's cancellation; the attempt then fails and
// is retried by its policy.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

export function boundedTemporalCall<T>(
  client: Client,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  return client.withAbortSignal(Context.current().cancellationSignal, () =>
    client.withDeadline(Date.now() + timeoutMs, call),
  );
}
