// The production stack is for users' machines (no Docker engine here), so it is checked by parsing the
// real files: docker-compose.yml, Dockerfile, .dockerignore, Prometheus and Grafana configuration, and
// the dashboard's metric names against deploy/metrics.json and the Temporal SDK Core sources.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { CONNECTOR_VARIABLES, SECRET_VARIABLES } from '../../../src/connectors';
import { BUDGETED_VENDORS, SINGLE_PARTITION, vendorTaskQueue } from '../../../src/domain/vendorQueues';
import { metricNames } from '../../helpers/promql';

const root = join(__dirname, '..', '..', '..');
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const readYaml = (rel: string): unknown => parse(read(rel));

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
function dict(v: unknown, what: string): Dict {
  assert.ok(isDict(v), `${what} must be a mapping`);
  return v;
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  ports?: (string | Dict)[];
  environment?: Dict | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  secrets?: (string | Dict)[];
  volumes?: (string | Dict)[];
  restart?: string;
}

const compose = dict(readYaml('docker-compose.yml'), 'docker-compose.yml');
const services = dict(compose.services, 'services') as Record<string, Service>;
const service = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `service ${name} is missing`);
  return s;
};

/** Services that run once and exit; everything else runs for good and needs a healthcheck. */
const ONE_SHOT = new Set(['temporal-admin-tools', 'schedules']);
const CONNECTORS = ['workday', 'erpnext', 'servicenow', 'tableau', 'slack', 'teams'];
const APP_METRICS = [
  'integration_breaker_state',
  'integration_records_total',
  'integration_runs_total',
  'integration_vendor_call_duration_seconds',
];

function env(s: Service): Record<string, string> {
  const e = s.environment ?? {};
  if (Array.isArray(e)) {
    return Object.fromEntries(
      e.map((kv) => {
        const i = kv.indexOf('=');
        return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Host port → container port for the short and long port syntaxes. */
function publishedPorts(s: Service): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of s.ports ?? []) {
    if (typeof p === 'string') {
      const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
      assert.ok(parts.length >= 2, `port ${p} is not published on the host`);
      out.set(Number(parts[parts.length - 2]), Number(parts[parts.length - 1]));
    } else {
      out.set(Number(p.published), Number(p.target));
    }
  }
  return out;
}

function dependsOn(s: Service): Record<string, string | undefined> {
  const d = s.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition]));
}

/** Bind mounts as { source (relative to the repo), target }. */
function bindMounts(s: Service): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const v of s.volumes ?? []) {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      if (source.startsWith('.')) out.push({ source: posix.normalize(source), target });
    } else if (v.type === 'bind') {
      out.push({ source: posix.normalize(String(v.source)), target: String(v.target) });
    }
  }
  return out;
}

/** The host file behind a container path, through the service's bind mounts. */
function hostPathOf(s: Service, containerPath: string): string | undefined {
  for (const m of bindMounts(s)) {
    if (containerPath === m.target) return m.source;
    if (containerPath.startsWith(`${m.target}/`))
      return posix.join(m.source, containerPath.slice(m.target.length + 1));
  }
  return undefined;
}

const workerEnv = env(service('worker'));
const connectorPlainSettings = new Set(
  Object.keys(CONNECTOR_VARIABLES).filter((name) => !SECRET_VARIABLES.includes(name)),
);
const metricsPort = Number(workerEnv.METRICS_PORT);

describe('deploy: docker-compose.yml', () => {
  it('has every service of the production stack', () => {
    for (const name of [
      'postgresql',
      'temporal',
      'temporal-admin-tools',
      'temporal-ui',
      'worker',
      'codec-server',
      'prometheus',
      'grafana',
    ]) {
      service(name);
    }
  });

  it('pins every image to an explicit tag other than latest', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image === undefined) {
        assert.ok(s.build, `service ${name} has neither image nor build`);
        continue;
      }
      const ref = s.image.split('@')[0] ?? '';
      const lastSegment = ref.split('/').pop() ?? '';
      const tag = lastSegment.includes(':') ? lastSegment.split(':')[1] : undefined;
      assert.ok(tag, `service ${name}: image ${s.image} has no tag`);
      assert.notEqual(tag, 'latest', `service ${name}: image ${s.image} uses latest`);
      assert.doesNotMatch(tag, /\$\{/, `service ${name}: image tag must not be left to an env variable`);
    }
    assert.match(service('temporal').image ?? '', /^temporalio\/auto-setup:1\.2\d\.\d+$/);
    assert.match(service('postgresql').image ?? '', /^postgres:16(\.\d+)?$/);
  });

  it('publishes Temporal 7233, the UI on 8233, Prometheus 9090 and Grafana 3000', () => {
    const expect: [string, number, number][] = [
      ['temporal', 7233, 7233],
      ['temporal-ui', 8233, 8080],
      ['prometheus', 9090, 9090],
      ['grafana', 3000, 3000],
    ];
    for (const [name, host, container] of expect) {
      assert.equal(
        publishedPorts(service(name)).get(host),
        container,
        `${name} must publish ${host}:${container}`,
      );
    }
  });

  it('gives every long-running service a healthcheck and lets one-shot services exit', () => {
    for (const [name, s] of Object.entries(services)) {
      if (ONE_SHOT.has(name)) {
        assert.ok(s.restart === undefined || ['no', 'on-failure'].includes(s.restart), `${name} is one-shot`);
        continue;
      }
      assert.ok(s.healthcheck && !s.healthcheck.disable, `service ${name} has no healthcheck`);
      const test = s.healthcheck.test;
      assert.ok(test && test.length > 0 && test[0] !== 'NONE', `service ${name}: healthcheck has no test`);
    }
  });

  it('starts Temporal after PostgreSQL is healthy and the worker after Temporal is healthy', () => {
    const temporal = service('temporal');
    assert.equal(dependsOn(temporal).postgresql, 'service_healthy');
    const e = env(temporal);
    assert.equal(e.DB, 'postgres12');
    assert.equal(e.POSTGRES_SEEDS, 'postgresql');
    assert.equal(dependsOn(service('worker')).temporal, 'service_healthy');
    assert.equal(dependsOn(service('temporal-ui')).temporal, 'service_healthy');
    assert.equal(env(service('temporal-ui')).TEMPORAL_ADDRESS, 'temporal:7233');
    assert.match(JSON.stringify(temporal.healthcheck?.test), /temporal operator cluster health|tctl/);
  });

  it('registers the Connector search attribute (Keyword) before the worker starts', () => {
    const admin = service('temporal-admin-tools');
    assert.equal(dependsOn(admin).temporal, 'service_healthy');
    const script = [admin.command].flat().join(' ');
    assert.match(script, /temporal operator search-attribute create[^;]*--name Connector/);
    assert.match(script, /--type Keyword/);
    assert.match(script, /--address temporal:7233/);
    assert.equal(dependsOn(service('worker'))['temporal-admin-tools'], 'service_completed_successfully');
  });

  it('configures the worker: Temporal address, metrics port, prebuilt workflow bundle', () => {
    const worker = service('worker');
    assert.ok(worker.build, 'worker is built from the Dockerfile');
    assert.deepEqual([worker.command].flat(), ['node', 'lib/src/worker.js']);
    assert.equal(workerEnv.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(workerEnv.TEMPORAL_NAMESPACE, 'default');
    assert.equal(metricsPort, 9464);
    assert.equal(workerEnv.WORKFLOW_BUNDLE_PATH, '/app/lib/workflow-bundle.js');
    const health = JSON.stringify(worker.healthcheck?.test);
    assert.ok(
      health.includes(`http://localhost:${metricsPort}/metrics`),
      'worker healthcheck probes its metrics',
    );
  });

  it('keeps secret values out of environment: only *_FILE references to docker secrets', () => {
    const secretName = /(PASSWORD|PASSWD|PWD|SECRET|TOKEN|PRIVATE_KEY)/i;
    const topSecrets = dict(compose.secrets ?? {}, 'secrets');
    for (const [name, s] of Object.entries(services)) {
      const declared = new Set((s.secrets ?? []).map((x) => (typeof x === 'string' ? x : String(x.source))));
      for (const [key, value] of Object.entries(env(s))) {
        // The connector table says which of its variables are secrets (SLACK_TOKEN_STORE is a path).
        if (!secretName.test(key) || connectorPlainSettings.has(key)) continue;
        if (/_FILE$/.test(key)) {
          const m = /^\/run\/secrets\/([\w.-]+)$/.exec(value);
          assert.ok(m, `${name}.${key} must point into /run/secrets/, got ${value}`);
          const secret = m[1] ?? '';
          assert.ok(declared.has(secret), `${name}.${key}: secret ${secret} is not given to the service`);
          const top = dict(topSecrets[secret], `secrets.${secret}`);
          assert.match(
            String(top.file),
            /^\.\/secrets\//,
            `secret ${secret} must come from a file under ./secrets/`,
          );
          continue;
        }
        // Outside the worker, a DB password may come from the user's .env, never inline and never defaulted.
        assert.notEqual(name, 'worker', `worker.${key}: secrets reach the worker only as ${key}_FILE`);
        assert.match(
          value,
          /^\$\{[A-Z0-9_]+(:?\?[^}]*)?\}$/,
          `${name}.${key} must not hold an inline secret`,
        );
      }
    }
    // The worker's secret files are the secrets the connector table reads from NAME_FILE, and the
    // payload codec's key ring (src/codec/keyRing.ts).
    const files = Object.keys(workerEnv).filter(
      (k) => k.endsWith('_FILE') && workerEnv[k]?.startsWith('/run/secrets/'),
    );
    assert.ok(files.length >= 3, 'worker receives its credentials as files');
    for (const key of files) {
      const base = key.replace(/_FILE$/, '');
      assert.ok(
        [...SECRET_VARIABLES, 'CODEC_KEYS'].includes(base),
        `${key}: neither the connector table nor the codec reads ${base}`,
      );
    }
  });
});

describe('deploy: Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').map((l) => l.trim());

  it('builds in stages from a pinned node:20 slim image and runs as a non-root user', () => {
    const args = Object.fromEntries(
      lines.flatMap((l) => {
        const m = /^ARG (\w+)=(\S+)/.exec(l);
        return m ? [[m[1], m[2]]] : [];
      }),
    );
    const froms = lines.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage build');
    for (const from of froms) {
      const image = (from.split(/\s+/)[1] ?? '').replace(/^\$\{(\w+)\}$/, (_, n: string) => args[n] ?? '');
      assert.match(image, /^node:20(\.\d+)*-bookworm-slim$/, `${from}: pinned node:20 bookworm-slim`);
    }
    assert.ok(
      lines.some((l) => /^RUN .*npm ci(\s|$)/.test(l) && !l.includes('--omit=dev')),
      'build stage: npm ci',
    );
    assert.ok(
      lines.some((l) => /npm run build\b/.test(l)) && lines.some((l) => /npm run build:workflows/.test(l)),
    );
    assert.ok(
      lines.some((l) => /^RUN .*npm ci --omit=dev/.test(l)),
      'runtime stage: production dependencies only',
    );
    const users = lines.filter((l) => l.startsWith('USER '));
    assert.ok(
      users.length > 0 && !/^USER (root|0)\b/.test(users[users.length - 1] ?? ''),
      'runs as non-root',
    );
    assert.ok(lines.includes(`EXPOSE ${metricsPort}`), `exposes the metrics port ${metricsPort}`);
    assert.ok(lines.includes('CMD ["node", "lib/src/worker.js"]'));
  });

  it('runs the file that tsc emits for src/worker.ts', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.build ?? '', /tsc -p tsconfig\.build\.json/);
    assert.ok(pkg.scripts['build:workflows'], 'package.json has build:workflows');
    const base = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    assert.equal(
      posix.join(base.compilerOptions.outDir, posix.relative(base.compilerOptions.rootDir, 'src/worker.js')),
      'lib/src/worker.js',
    );
  });

  it('keeps dependencies, build output, state and credentials out of the build context', () => {
    const ignored = new Set(
      read('.dockerignore')
        .split('\n')
        .map((l) => l.trim().replace(/^\/|\/$/g, ''))
        .filter((l) => l && !l.startsWith('#')),
    );
    for (const entry of ['node_modules', '.temporal', 'data', 'lib', '.git', 'secrets', '.env']) {
      assert.ok(ignored.has(entry), `.dockerignore must exclude ${entry}`);
    }
  });
});

describe('deploy: Prometheus', () => {
  const prometheus = service('prometheus');

  it('loads deploy/prometheus/prometheus.yml and scrapes the worker on its METRICS_PORT', () => {
    assert.equal(
      hostPathOf(prometheus, '/etc/prometheus/prometheus.yml'),
      'deploy/prometheus/prometheus.yml',
    );
    assert.ok([prometheus.command].flat().includes('--config.file=/etc/prometheus/prometheus.yml'));
    const config = dict(readYaml('deploy/prometheus/prometheus.yml'), 'prometheus.yml');
    const jobs = (config.scrape_configs ?? []) as Dict[];
    const scrapesWorker = (job: Dict): boolean => {
      const statics = ((job.static_configs ?? []) as { targets?: string[] }[]).flatMap(
        (c) => c.targets ?? [],
      );
      const dns = (job.dns_sd_configs ?? []) as { names?: string[]; port?: number }[];
      return (
        statics.includes(`worker:${metricsPort}`) ||
        dns.some((d) => (d.names ?? []).includes('worker') && d.port === metricsPort)
      );
    };
    const job = jobs.find(scrapesWorker);
    assert.ok(job, `no scrape job targets worker:${metricsPort}`);
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
  });
});

describe('deploy: Grafana', () => {
  const grafana = service('grafana');
  const provisioningDir = hostPathOf(grafana, '/etc/grafana/provisioning');
  const dashboardPath = 'deploy/grafana/dashboards/integrations.json';
  const dashboard = JSON.parse(read(dashboardPath)) as { panels: Panel[]; uid: string };

  interface Panel {
    type: string;
    title: string;
    datasource?: { uid?: string };
    targets?: { expr?: string }[];
    panels?: Panel[];
  }

  it('provisions the Prometheus service as the datasource the panels use', () => {
    assert.equal(provisioningDir, 'deploy/grafana/provisioning');
    const file = dict(readYaml(`${provisioningDir}/datasources/prometheus.yml`), 'datasources');
    const sources = (file.datasources ?? []) as Dict[];
    const prom = sources.find((d) => d.type === 'prometheus');
    assert.ok(prom, 'a prometheus datasource');
    assert.equal(prom.url, `http://prometheus:${publishedPorts(service('prometheus')).get(9090)}`);
    const uids = new Set(dashboard.panels.flatMap((p) => (p.type === 'row' ? [] : [p.datasource?.uid])));
    assert.deepEqual([...uids], [prom.uid], 'every panel queries the provisioned datasource');
  });

  it('provisions the dashboard folder that holds integrations.json', () => {
    const file = dict(readYaml(`${provisioningDir}/dashboards/integrations.yml`), 'dashboard providers');
    const providers = (file.providers ?? []) as { type?: string; options?: { path?: string } }[];
    assert.ok(providers.length > 0);
    for (const p of providers) {
      assert.equal(p.type, 'file');
      const host = hostPathOf(grafana, p.options?.path ?? '');
      assert.ok(host, `provider path ${p.options?.path} is not mounted into grafana`);
      assert.ok(existsSync(join(root, host, 'integrations.json')), `${host}/integrations.json`);
    }
    assert.equal(
      hostPathOf(grafana, env(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? ''),
      dashboardPath,
    );
  });

  it('has a row per connector whose panels select that connector', () => {
    const rows: { title: string; panels: Panel[] }[] = [];
    for (const p of dashboard.panels) {
      if (p.type === 'row') rows.push({ title: p.title, panels: [...(p.panels ?? [])] });
      else rows[rows.length - 1]?.panels.push(p);
    }
    for (const c of CONNECTORS) {
      const row = rows.find((r) => r.title.toLowerCase().includes(c));
      assert.ok(row, `no row for connector ${c}`);
      const exprs = row.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
      assert.ok(exprs.length >= 4, `row ${row.title} has too few queries`);
      for (const m of APP_METRICS)
        assert.ok(
          exprs.some((e) => e.includes(m)),
          `row ${row.title} does not show ${m}`,
        );
      for (const e of exprs.filter((x) => x.includes('integration_'))) {
        assert.ok(e.includes(`connector="${c}"`), `row ${row.title}: ${e} does not select connector="${c}"`);
      }
    }
  });

  it('queries only metrics listed in deploy/metrics.json, and lists only metrics it queries', () => {
    const listed = JSON.parse(read('deploy/metrics.json')) as { sdk: string[]; app: string[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    const used = new Set(exprs.flatMap(metricNames));
    assert.ok(used.size > 0);
    const all = new Set([...listed.sdk, ...listed.app]);
    for (const m of used) assert.ok(all.has(m), `${m} is queried but not listed in deploy/metrics.json`);
    for (const m of all) assert.ok(used.has(m), `${m} is listed in deploy/metrics.json but not queried`);
    assert.deepEqual([...listed.app].sort(), APP_METRICS);
    for (const m of listed.sdk)
      assert.match(m, /^temporal_/, `${m}: SDK Core metrics carry the temporal_ prefix`);
  });

  it('names SDK metrics that Temporal SDK Core really defines', () => {
    const crates = join(root, 'node_modules/@temporalio/core-bridge/sdk-core/crates');
    const sources = [
      'sdk-core/src/telemetry/metrics.rs',
      'common/src/telemetry/metrics.rs',
      'client/src/metrics.rs',
    ].map((f) => {
      const path = join(crates, f);
      assert.ok(
        existsSync(path),
        `${path} is missing: was @temporalio/core-bridge upgraded? update this list`,
      );
      return readFileSync(path, 'utf8');
    });
    const text = sources.join('\n');
    const listed = JSON.parse(read('deploy/metrics.json')) as { sdk: string[] };
    for (const m of listed.sdk) {
      const name = m.replace(/^temporal_/, '');
      assert.ok(text.includes(`"${name}"`), `${m}: "${name}" is not a metric name in sdk-core`);
    }
  });
});

describe('deploy: metric name extraction', () => {
  it('finds metric names and ignores functions, labels and values', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.95, sum by (le, operation) (rate(integration_vendor_call_duration_seconds_bucket{connector="x_y"}[$__rate_interval])))',
      ),
      ['integration_vendor_call_duration_seconds'],
    );
    assert.deepEqual(metricNames('max(a_total{x="b_total"}) / on(job) b_count offset 5m'), ['a_total', 'b']);
  });

  it("gives each vendor queue of the workers' TASK_QUEUE one partition on the Temporal server", () => {
    const temporal = service('temporal');
    const env = dict(temporal.environment, 'temporal environment');
    const mount = (temporal.volumes ?? []).find(
      (v) => typeof v === 'string' && v.startsWith('./deploy/temporal/dynamicconfig.yaml:'),
    ) as string | undefined;
    assert.ok(mount, 'the dynamic config file is mounted');
    assert.ok(mount.includes(`/etc/temporal/${String(env.DYNAMIC_CONFIG_FILE_PATH)}`), mount);
    const taskQueue = String(dict(service('worker').environment, 'worker environment').TASK_QUEUE);
    const config = dict(readYaml('deploy/temporal/dynamicconfig.yaml'), 'dynamicconfig.yaml');
    for (const [key, value] of Object.entries(SINGLE_PARTITION)) {
      const entries = config[key] as { value: number; constraints: { taskQueueName: string } }[];
      assert.deepEqual(
        entries.map((e) => [e.constraints.taskQueueName, e.value]).sort(),
        BUDGETED_VENDORS.map((v) => [vendorTaskQueue(taskQueue, v), value]).sort(),
        key,
      );
    }
  });
});
