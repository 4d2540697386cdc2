// `npm run cluster`: the production topology on this machine (docs/deployment.md): PostgreSQL, the
// Temporal server, the Web UI, two workers, the ingress and the simulators, schedules applied. A
// throwaway cluster in data/cluster/ (wiped at start). Ctrl-C stops every process.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startAllSimulators } from '../../simulators/run-all';
import { simulatorEnv } from '../local-env';
import { seedDemoData } from '../seed-demo';
import { startCluster, type Cluster } from './cluster';

const ROOT = join(__dirname, '..', '..');
const DIR = join(ROOT, 'data', 'cluster');
const say = (line: string) => console.log(`[cluster] ${line}`);

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  const sims = await startAllSimulators({ dataDir: join(DIR, 'simulators') });
  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    await cluster?.stop();
    await sims.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  try {
    await seedDemoData(sims, say);
    cluster = await startCluster({
      dir: DIR,
      env: { ...simulatorEnv(sims), AUDIT_LOG: join(DIR, 'audit.jsonl') },
      workers: Number(process.env.CLUSTER_WORKERS ?? 2),
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      ingressPort: Number(process.env.INGRESS_PORT ?? 8787),
    });
  } catch (err) {
    console.error(`[cluster] ${err instanceof Error ? err.message : String(err)}`);
    return stop(1);
  }
  const { binaries, server, postgres, ui, workers, ingress } = cluster;
  say('ready:');
  say(
    `  Temporal server ${binaries.versions.server} gRPC ${server.address} (metrics :${server.ports.metrics})`,
  );
  say(
    `  PostgreSQL      127.0.0.1:${postgres.port} (user ${postgres.user}, databases temporal, temporal_visibility)`,
  );
  say(`  Web UI ${binaries.versions.ui}  ${ui.url}/namespaces/default/workflows`);
  say(`  Codec server    ${cluster.codecServer} (the UI decodes through it; key ring in ${DIR})`);
  say(`  Workers         ${workers.length}, task queue ${cluster.taskQueue}`);
  if (ingress) say(`  Ingress         ${ingress.url}`);
  say(`  Schedules       applied (npm run cli -- schedules list)`);
  say(`  Logs            ${cluster.logDir}`);
  say('Ctrl-C stops everything.');
  for (const proc of [server.process, ...workers]) {
    proc.child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${proc.name} exited (${signal ?? code}); see ${proc.logFile}`);
      void stop(1);
    });
  }
}

void main();
