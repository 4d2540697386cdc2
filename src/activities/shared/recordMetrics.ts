// `integration_records_total{connector, operation, outcome}`: how many records an activity handled
// and what became of them, so the dashboard shows throughput and losses per connector. Counted in
// activities (not workflows): an activity attempt that fails before counting counts nothing.
import { metricMeter } from '@temporalio/activity';

export type RecordOutcome =
  'processed' | 'created' | 'updated' | 'unchanged' | 'invalid' | 'failed' | 'dead_lettered';

/**
 * Adds the non-zero counts. `processed` is every record read; the other outcomes classify them
 * (a record is processed and then created, updated, unchanged, invalid, failed or dead-lettered).
 */
export function countRecords(
  connector: string,
  operation: string,
  counts: Partial<Record<RecordOutcome, number>>,
): void {
  const counter = metricMeter.createCounter(
    'integration_records_total',
    '1',
    'Records handled per connector, operation and outcome',
  );
  for (const [outcome, n] of Object.entries(counts)) {
    if (n && n > 0) counter.add(n, { connector, operation, outcome });
  }
}
