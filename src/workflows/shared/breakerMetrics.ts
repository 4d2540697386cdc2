// `integration_breaker_state{connector}`: 1 while a connector's breaker is open, 0 while closed. Set
// by the breaker workflow at the start of every run and on every transition. Workflow metrics are
// not emitted during replay, so a worker that takes the breaker over (restart, cache eviction)
// exports the gauge again from the breaker's next run start or transition.
import { metricMeter } from '@temporalio/workflow';

export function reportBreakerState(connector: string, state: 'open' | 'closed'): void {
  metricMeter
    .createGauge('integration_breaker_state', 'int', '1', 'Circuit breaker per connector: 1 open, 0 closed')
    .set(state === 'open' ? 1 : 0, { connector });
}
