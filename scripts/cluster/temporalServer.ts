// The production Temporal server (go.temporal.io/server, all four services in one process) on
// PostgreSQL: the schema through Temporal's own SQL tool, a config file with every port free, and
// the process itself, which can be killed and started again on the same config and database.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createServer } from 'node:net';
import type { ClusterBinaries } from './binaries';
import { canConnect, type Postgres } from './postgres';
import { startProcess, waitUntil, type Managed } from './process';
import { SINGLE_PARTITION } from '../../src/domain/vendorQueues';

const DATABASES = { temporal: 'postgresql/v12/temporal', temporal_visibility: 'postgresql/v12/visibility' };

/** Creates both databases and brings their schemas to the version this server needs. */
export function createSchema(sqlTool: string, pg: Postgres): void {
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user];
  // The password goes by environment, not argv (visible in `ps`).
  const env = { ...process.env, SQL_PASSWORD: pg.password };
  for (const [db, schema] of Object.entries(DATABASES)) {
    for (const step of [
      ['create-database'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', schema],
    ]) {
      const res = spawnSync(sqlTool, [...base, '--db', db, ...step], { encoding: 'utf8', env });
      if (res.status !== 0)
        throw new Error(`temporal-sql-tool ${step[0]} ${db} failed:\n${res.stdout}\n${res.stderr}`);
    }
  }
}

export interface ServerPorts {
  frontend: number;
  http: number;
  metrics: number;
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
  grpc: Record<'history' | 'matching' | 'worker', number>;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port the schema can store: cluster_membership keeps membership ports as smallint (≤ 32767). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
}

async function freePorts(): Promise<ServerPorts> {
  return {
    frontend: await freePort(),
    http: await freePort(),
    metrics: await freePort(),
    membership: {
      frontend: await freePort(),
      history: await freePort(),
      matching: await freePort(),
      worker: await freePort(),
    },
    grpc: { history: await freePort(), matching: await freePort(), worker: await freePort() },
  };
}

function serverConfig(pg: Postgres, ports: ServerPorts, dynamicConfigFile: string): object {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': store('temporal', 20),
        'postgres-visibility': store('temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${ports.metrics}`,
        },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.membership.frontend, { httpPort: ports.http }),
      history: rpc(ports.grpc.history, ports.membership.history),
      matching: rpc(ports.grpc.matching, ports.membership.matching),
      worker: rpc(ports.grpc.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

const DYNAMIC_CONFIG = {
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
  // A search attribute registered a moment ago is usable at once (tests and the first deploy).
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  // One partition per task queue, so a vendor queue's rate limit is one bucket (vendorQueues.ts).
  // Here for every queue, as the test runs its own queues; compose names the vendor queues.
  ...Object.fromEntries(
    Object.entries(SINGLE_PARTITION).map(([key, value]) => [key, [{ value, constraints: {} }]]),
  ),
};

export interface TemporalServer {
  address: string;
  ports: ServerPorts;
  process: Managed;
  /** Starts the server again on the same config and database (after a kill). */
  restart(): Promise<Managed>;
}

export async function startTemporalServer(
  binaries: ClusterBinaries,
  pg: Postgres,
  dir: string,
  logDir: string,
): Promise<TemporalServer> {
  createSchema(binaries.sqlTool, pg);
  const ports = await freePorts();
  const dynamicConfigFile = join(dir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, stringify(DYNAMIC_CONFIG));
  const configFile = join(dir, 'temporal-server.yaml');
  writeFileSync(configFile, stringify(serverConfig(pg, ports, dynamicConfigFile)), { mode: 0o600 });
  const launch = async () => {
    const proc = startProcess(
      'temporal-server',
      binaries.server,
      ['--config-file', configFile, '--allow-no-auth', 'start'],
      join(logDir, 'temporal-server.log'),
    );
    await waitUntil('the Temporal frontend listening', () => canConnect(ports.frontend), proc, 120_000);
    return proc;
  };
  const server: TemporalServer = {
    address: `127.0.0.1:${ports.frontend}`,
    ports,
    process: await launch(),
    async restart() {
      server.process = await launch();
      return server.process;
    },
  };
  return server;
}
