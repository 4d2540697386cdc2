// The tests' key ring (test/fixtures/codec-keys.json: test-only keys, never used elsewhere) and
// data converters over it or over a ring cut down to what a test needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFor } from '../../src/codec/dataConverter';
import { keyRingFrom, type KeyRingJson } from '../../src/codec/keyRing';

export const TEST_KEY_RING = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'codec-keys.json'), 'utf8'),
) as KeyRingJson;

export function testDataConverter(ring: KeyRingJson = TEST_KEY_RING): DataConverter {
  return dataConverterFor(keyRingFrom(ring));
}

/** The test ring with `current` switched and keys left out (rotation, a ring without the EU keys). */
export function testRing(change: { current?: string; drop?: string[]; withoutEu?: boolean }): KeyRingJson {
  const keys = { ...TEST_KEY_RING.keys };
  for (const id of change.drop ?? []) delete keys[id];
  return {
    current: change.current ?? TEST_KEY_RING.current,
    keys,
    ...(change.withoutEu ? {} : { eu: TEST_KEY_RING.eu }),
  };
}
