// One cluster for every file of `npm run test:cluster` (starting one costs PostgreSQL, the schema and
// the server): started by the first test that asks, stopped by the root hook after the last file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { startTestSimulators } from '../helpers/simulators';

export interface TestCluster {
  cluster: Cluster;
  sims: Awaited<ReturnType<typeof startTestSimulators>>;
  dir: string;
}

let shared: Promise<TestCluster> | undefined;

export function testCluster(): Promise<TestCluster> {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
    const sims = await startTestSimulators();
    const cluster = await startCluster({
      dir,
      env: {
        ...sims.env,
        AUDIT_LOG: join(dir, 'audit.jsonl'),
        WORKDAY_QUARANTINE_DIR: join(dir, 'quarantine'),
      },
      workers: 2,
    });
    return { cluster, sims, dir };
  })();
  return shared;
}

export const mochaHooks = {
  async afterAll(this: unknown): Promise<void> {
    if (!shared) return;
    const { cluster, sims, dir } = await shared;
    await cluster.stop();
    await sims.stop();
    if (!process.env.KEEP_CLUSTER) rmSync(dir, { recursive: true, force: true });
  },
};
