// The production topology on this machine, without Docker: PostgreSQL, the Temporal server on it, the
// namespace and search attribute, the Web UI, N worker processes, the ingress, and the one-shot that
// applies the schedules, all with the payload codec (a ring made for the cluster unless the caller's
// env names one) and the codec server the Web UI decodes through. The caller supplies the connectors' environment (the simulators' for
// `npm run cluster` and the tests). Each piece is a process the caller can kill and start again.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../../src/codec/dataConverter';
import { codecServerToken, localCodecEnv } from '../local-codec';
import { freePort } from '../../test/helpers/workerProcess';
import { clusterBinaries, type ClusterBinaries } from './binaries';
import { connectWhenUp, registerNamespace } from './namespace';
import { startPostgres, type Postgres } from './postgres';
import { startProcess, waitUntil, type Managed } from './process';
import { startTemporalServer, type TemporalServer } from './temporalServer';
import { startUi, type TemporalUi } from './ui';

const ROOT = join(__dirname, '..', '..');

export interface ClusterOptions {
  /** Where the cluster keeps its database, configs and logs. */
  dir: string;
  /** The connectors' variables (and anything else) for the workers and the ingress. */
  env: Record<string, string>;
  workers?: number;
  taskQueue?: string;
  uiPort?: number;
  /** 0: no ingress. */
  ingressPort?: number;
  /** Apply the schedule table with the one-shot (`cli schedules apply`). */
  applySchedules?: boolean;
}

export interface Cluster {
  binaries: ClusterBinaries;
  postgres: Postgres;
  server: TemporalServer;
  ui: TemporalUi;
  /** The codec server's URL; its bearer token is in the file `workerEnv(i).CODEC_SERVER_TOKEN_FILE`. */
  codecServer: string;
  connection: Connection;
  client: Client;
  workers: Managed[];
  ingress?: { url: string; process: Managed };
  taskQueue: string;
  logDir: string;
  /** The environment each worker runs with (Temporal address, task queue, connectors). */
  workerEnv(index: number): NodeJS.ProcessEnv;
  /** Starts worker `index` (again, after a kill): its own metrics port, same task queue. */
  startWorker(index: number): Promise<Managed>;
  stop(): Promise<void>;
}

const tsx = (script: string) => [process.execPath, ['--import', 'tsx', join(ROOT, script)]] as const;

/** A one-shot job (like compose's `schedules` service): runs to the end, fails on a non-zero exit. */
export async function runOnce(name: string, script: string, args: string[], env: NodeJS.ProcessEnv) {
  const [node, base] = tsx(script);
  const child = spawn(node, [...base, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${name} exited ${code}:\n${output}`);
  return output;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const binaries = clusterBinaries();
  const logDir = join(options.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // PostgreSQL runs as its own user when we are root: it must reach its folder inside this one.
  chmodSync(options.dir, 0o755);
  const taskQueue = options.taskQueue ?? 'integrations';
  // Everything started so far, stopped newest first (a failed start leaves nothing running).
  const workers: Managed[] = [];
  let ingress: Cluster['ingress'];
  const parts: (() => Managed | undefined)[] = [];
  const stopAll = async () => {
    for (const worker of workers) await worker?.stop();
    await ingress?.process.stop();
    for (const part of [...parts].reverse()) await part()?.stop();
  };
  try {
    const postgres = await startPostgres(binaries.postgresBin, join(options.dir, 'postgresql'), logDir);
    parts.push(() => postgres.process);
    const server = await startTemporalServer(binaries, postgres, options.dir, logDir);
    parts.push(() => server.process);
    const connection = await connectWhenUp(server.address);
    await registerNamespace(connection);
    const codecEnv = { ...localCodecEnv(options.dir, options.env), ...options.env };
    const client = new Client({ connection, dataConverter: dataConverterFromEnv(codecEnv) });
    const uiPort = options.uiPort ?? (await freePort());
    const codecServer = await startCodecServer(codecEnv, uiPort, logDir);
    parts.push(() => codecServer.process);
    const ui = await startUi(
      binaries.ui,
      server.address,
      uiPort,
      join(options.dir, 'ui'),
      logDir,
      `${codecServer.url}/ui/${codecServerToken(codecEnv)}`,
    );
    parts.push(() => ui.process);
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...codecEnv,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      TEMPORAL_UI_URL: ui.url,
      LOG_LEVEL: options.env.LOG_LEVEL ?? 'warn',
    };
    const metricsPorts: number[] = [];
    const cluster: Cluster = {
      binaries,
      postgres,
      server,
      ui,
      codecServer: codecServer.url,
      connection,
      client,
      workers,
      taskQueue,
      logDir,
      workerEnv: (index) => ({ ...base, METRICS_PORT: String(metricsPorts[index] ?? 0) }),
      async startWorker(index) {
        metricsPorts[index] ??= await freePort();
        const [node, args] = tsx('src/worker.ts');
        const worker = startProcess(
          `worker-${index + 1}`,
          node,
          [...args],
          join(logDir, `worker-${index + 1}.log`),
          {
            cwd: ROOT,
            env: cluster.workerEnv(index),
          },
        );
        const metrics = `http://127.0.0.1:${metricsPorts[index]}/metrics`;
        await waitUntil(
          `worker ${index + 1} serving ${metrics}`,
          async () => (await fetch(metrics)).ok,
          worker,
        );
        workers[index] = worker;
        return worker;
      },
      async stop() {
        await stopAll();
        await connection.close();
      },
    };
    for (let i = 0; i < (options.workers ?? 2); i++) await cluster.startWorker(i);
    if (options.ingressPort !== 0) {
      const port = options.ingressPort ?? (await freePort());
      const [node, args] = tsx('src/ingress.ts');
      const proc = startProcess('ingress', node, [...args], join(logDir, 'ingress.log'), {
        cwd: ROOT,
        env: { ...base, INGRESS_PORT: String(port), METRICS_PORT: '0' },
      });
      const url = `http://127.0.0.1:${port}`;
      await waitUntil('the ingress answering /healthz', async () => (await fetch(`${url}/healthz`)).ok, proc);
      ingress = { url, process: proc };
      cluster.ingress = ingress;
    }
    if (options.applySchedules !== false)
      await runOnce('schedules apply', 'src/cli.ts', ['schedules', 'apply'], base);
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The codec server (compose's `codec-server`), with CORS for the cluster's Web UI. */
async function startCodecServer(codecEnv: NodeJS.ProcessEnv, uiPort: number, logDir: string) {
  const port = await freePort();
  const [node, args] = tsx('src/codecServer.ts');
  const proc = startProcess('codec-server', node, [...args], join(logDir, 'codec-server.log'), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ...codecEnv,
      CODEC_SERVER_PORT: String(port),
      CODEC_SERVER_CORS_ORIGINS: `http://localhost:${uiPort},http://127.0.0.1:${uiPort}`,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    'the codec server answering /healthz',
    async () => (await fetch(`${url}/healthz`)).ok,
    proc,
  );
  return { url, process: proc };
}
