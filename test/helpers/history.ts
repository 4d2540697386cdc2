// Reading saved histories the way a secret scan must: payload data is base64 inside the JSON.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** The history JSON plus every payload's bytes decoded. */
export function withDecodedPayloads(serialized: string): string {
  const decoded: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, v] of Object.entries(value)) {
        if (key === 'data' && typeof v === 'string') decoded.push(Buffer.from(v, 'base64').toString('utf8'));
        else walk(v);
      }
  };
  walk(JSON.parse(serialized));
  return [serialized, ...decoded].join('\n');
}

/** With RECORD_HISTORIES=1, saves a run's history for the replay test (test/replay). */
export async function recordHistory(
  handle: { fetchHistory(): Promise<Parameters<typeof historyToJSON>[0]> },
  name: string,
): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  writeFileSync(
    join(__dirname, '..', 'fixtures', 'histories', `${name}.json`),
    historyToJSON(await handle.fetchHistory()),
  );
}
