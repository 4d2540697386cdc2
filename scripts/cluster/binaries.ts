// The cluster's binaries that `scripts/setup.js --with-cluster` built or found (versions.json pins
// them): the production Temporal server and its SQL tool, the Web UI server, Debian's PostgreSQL.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type versions from './versions.json';

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  ui: string;
  /** PostgreSQL's server programs (initdb, pg_ctl). */
  postgresBin: string;
  versions: typeof versions;
}

const FIX = 'Run: node scripts/setup.js --with-cluster';

export function clusterBinaries(): ClusterBinaries {
  const dir = process.env.TEMPORAL_CLUSTER_DIR ?? join(__dirname, '..', '..', '.temporal', 'cluster');
  const manifest = join(dir, 'binaries.json');
  if (!existsSync(manifest)) throw new Error(`the cluster is not set up (${manifest} is missing). ${FIX}`);
  const found = JSON.parse(readFileSync(manifest, 'utf8')) as ClusterBinaries;
  for (const path of [found.server, found.sqlTool, found.ui, join(found.postgresBin, 'initdb')]) {
    if (!existsSync(path)) throw new Error(`${path} is missing. ${FIX}`);
  }
  return found;
}
