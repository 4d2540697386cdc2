// `integration_breaker_state{connector}`: 0 closed, 1 open, 2 half-open (so `>= 1` is "not closed"). Set
// by the breaker workflow at the start of every run and on every transition. Workflow metrics are
// not emitted during replay, so a worker that takes the breaker over (restart, cache eviction)
// exports the gauge again from the breaker's next run start or transition.
import { metricMeter } from '@temporalio/workflow';

const LEVEL = { closed: 0, open: 1, 'half-open': 2 } as const;

export function reportBreakerState(connector: string, state: keyof typeof LEVEL): void {
  metricMeter
    .createGauge(
      'integration_breaker_state',
      'int',
      '1',
      'Circuit breaker per connector: 0 closed, 1 open, 2 half-open',
    )
    .set(LEVEL[state], { connector });
}
