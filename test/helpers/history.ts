// Reading saved histories the way a secret scan must: payload data is base64 inside the JSON, and
// encrypted when the run used the payload codec.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { KEY_ID, openPayload } from '../../src/codec/encryptionCodec';
import type { KeyRing } from '../../src/codec/keyRing';

/**
 * The history JSON plus every payload's bytes decoded; with `ring`, encrypted payloads are first
 * decrypted as the codec would (a payload whose key the ring lacks throws, naming the key).
 */
export function withDecodedPayloads(serialized: string, ring?: KeyRing): string {
  const decoded: string[] = [];
  const open = (payload: { metadata?: Record<string, string>; data: string }): Buffer => {
    const bytes = Buffer.from(payload.data, 'base64');
    if (!ring) return bytes;
    const metadata = Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    );
    return Buffer.from(openPayload({ metadata, data: bytes }, ring).data ?? []);
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, v] of Object.entries(value)) {
        if (key === 'data' && typeof v === 'string')
          decoded.push(open(value as { metadata?: Record<string, string>; data: string }).toString('utf8'));
        else walk(v);
      }
  };
  walk(JSON.parse(serialized));
  return [serialized, ...decoded].join('\n');
}

/**
 * Where a history holds a payload that is not encrypted, outside what Temporal never passes through
 * a codec: search attributes (indexed), headers (the audit actor: an operator,
 * docs/data-protection.md) and the SDK's patch markers (a patch id).
 */
export function plainPayloads(serialized: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (!value || typeof value !== 'object' || /\.(searchAttributes|header|patch-data)$/.test(path)) return;
    const encoding = (value as { metadata?: { encoding?: string } }).metadata?.encoding;
    if (encoding && Buffer.from(encoding, 'base64').toString() !== 'binary/encrypted') found.push(path);
    for (const [key, v] of Object.entries(value)) walk(v, `${path}.${key}`);
  };
  walk(JSON.parse(serialized), '');
  return found;
}

/** Every key id that encrypted a payload of the history. */
export function payloadKeyIds(serialized: string): Set<string> {
  const ids = new Set<string>();
  for (const m of serialized.matchAll(new RegExp(`"${KEY_ID}"\\s*:\\s*"([^"]+)"`, 'g')))
    ids.add(Buffer.from(m[1]!, 'base64').toString());
  return ids;
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
