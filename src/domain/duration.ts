// Durations as Temporal takes them (`7 days`, `36h`, or milliseconds), read with the same `ms`
// package the SDK uses, so a setting means here what it means to a Temporal timer.
import type { Duration } from '@temporalio/common';
import ms from 'ms';

/** Milliseconds of a duration; NaN when the text is not a duration. */
export function durationMs(value: Duration): number {
  return typeof value === 'number' ? value : ms(value);
}

/** Whether a setting such as DLQ_RETENTION is a usable duration. */
export function isPositiveDuration(value: string): boolean {
  try {
    const millis = durationMs(value as Duration);
    return Number.isFinite(millis) && millis > 0;
  } catch {
    return false;
  }
}
