// The Temporal binaries that scripts/setup.js resolved, for the start script and the tests.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TemporalBinaries {
  cli: { path: string; version: string; source: string };
  testServer: { path: string; source: string };
}

const MANIFEST = join(__dirname, '..', '.temporal', 'binaries.json');

export function readBinaries(): TemporalBinaries {
  if (!existsSync(MANIFEST)) {
    throw new Error(`Temporal binaries are not set up (${MANIFEST} is missing). Run: npm run setup`);
  }
  const binaries = JSON.parse(readFileSync(MANIFEST, 'utf8')) as TemporalBinaries;
  for (const [name, bin] of Object.entries(binaries)) {
    if (!existsSync(bin.path))
      throw new Error(`Temporal ${name} binary ${bin.path} is missing. Run: npm run setup`);
  }
  return binaries;
}
