// Whether a setting such as DLQ_RETENTION is a usable ms-style duration (`7 days`, `36h`).
import { msToNumber } from '@temporalio/common/lib/time';

export function isPositiveDuration(value: string): boolean {
  try {
    const millis = msToNumber(value as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(millis) && millis > 0;
  } catch {
    return false;
  }
}
