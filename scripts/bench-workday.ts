// Benchmark: workdayEmployeeImport over a seeded export (default 100,000 rows, ~1% invalid) read over
// SFTP into the ERPNext simulators (US/EU), on the dev server, with the worker in a child process.
// Then the naive design (one activity per record, single-record writes) over --naive-rows rows.
// Prints rows/s, vendor requests, history events (every run of the continue-as-new chain) and the
// worker's peak RSS for both, the ratio, and checks ERPNext holds exactly the valid employees.
// Usage: npm run bench:workday [-- --rows 100000 --naive-rows 10000 --batch-size 1000]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startErpnextSimulator } from '../simulators/erpnext/server';
import { createLocalCa } from '../simulators/kit/local-ca';
import { startSftpSimulator } from '../simulators/sftp/server';
import { admin } from '../test/helpers/simulators';
import { devServer } from '../test/helpers/temporal';
import type { WorkdayImportReport } from '../src/workflows/workdayEmployeeImport';
import { simulatorEnv } from './local-env';
import { generateWorkdayExport, type SeededExport } from './seed-workday';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

interface RunFigures {
  label: string;
  rows: number;
  seconds: number;
  requests: { erpnext: number; sftp: number };
  events: number;
  runs: number;
  peakMb: number;
  result: unknown;
}

/** /proc/<pid>/status fields in MB (VmHWM: peak resident set, VmRSS: current). */
function procMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function waitFor<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string } & T) => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg);
    };
    const onExit = (code: number | null) => reject(new Error(`bench worker exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Every run of a continue-as-new chain, following ContinuedAsNew's new run id. */
async function chainHistory(client: Client, workflowId: string, firstRunId: string) {
  let events = 0;
  let runs = 0;
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    events += history.events?.length ?? 0;
    runs++;
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { events, runs };
}

async function main(): Promise<void> {
  const rows = arg('rows', 100_000);
  const naiveRows = arg('naive-rows', 10_000);
  const batchSize = arg('batch-size', 1000);
  // The worker's production memory settings (README): a bounded V8 old space, so V8 collects instead
  // of growing the heap because the host has memory to spare, and two glibc malloc arenas for the
  // SDK's native threads. Override with BENCH_WORKER_NODE_OPTIONS / BENCH_MALLOC_ARENA_MAX (an empty
  // value leaves the setting out).
  const workerNodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=160';
  const mallocArenas = process.env.BENCH_MALLOC_ARENA_MAX ?? '2';
  const dir = mkdtempSync(join(tmpdir(), 'bench-workday-'));
  const closers: (() => Promise<void>)[] = [];
  let env: Awaited<ReturnType<typeof devServer>> | undefined;
  const children = new Set<ChildProcess>();
  // Ctrl-C: no worker, dev server or temp folder left behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      for (const child of children) child.kill('SIGKILL');
      void env?.teardown().finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(130);
      });
    });
  try {
    // Only the simulators the import talks to: SFTP and the two ERPNext regions, on free ports.
    const ca = await createLocalCa(join(dir, 'sims', 'ca'));
    const erp = {
      us: await startErpnextSimulator({ port: 0, tls: { ca } }),
      eu: await startErpnextSimulator({ port: 0, tls: { ca }, name: 'erpnext-eu' }),
    };
    const sftp = await startSftpSimulator({
      port: 0,
      rootDir: join(dir, 'sims', 'sftp'),
      hostKeyFile: join(dir, 'sims', 'sftp-host-key'),
    });
    closers.push(
      () => erp.us.close(),
      () => erp.eu.close(),
      () => sftp.close(),
    );
    env = await devServer();
    const exports = join(dir, 'sims', 'sftp', 'exports');
    const seeded = generateWorkdayExport({ rows, seed: 42 });
    writeFileSync(join(exports, 'workers_20240131.csv'), seeded.content);
    const naiveSeeded = generateWorkdayExport({ rows: naiveRows, seed: 42 });
    writeFileSync(join(exports, 'workers_20240201.csv'), naiveSeeded.content);
    console.log(
      `export: ${rows} rows (${seeded.invalidRows.length} invalid, ${(seeded.content.length / 1e6).toFixed(1)} MB); ` +
        `naive: ${naiveRows} rows`,
    );

    const bundlePath = join(dir, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./bench/workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    });
    writeFileSync(bundlePath, code);

    const childEnv = {
      ...process.env,
      ...Object.fromEntries(
        Object.entries(
          simulatorEnv({
            caFile: ca.caFile,
            slack: { url: '' },
            graph: { url: '' },
            erpnext: erp.us,
            erpnextEu: erp.eu,
            sftp,
          }),
        ).filter(([name]) => /^(TLS_CA_FILE|ERPNEXT_|WORKDAY_)/.test(name)),
      ),
      WORKDAY_QUARANTINE_DIR: join(dir, 'quarantine'),
      BENCH_TEMPORAL_ADDRESS: env.address,
      BENCH_WORKFLOW_BUNDLE: bundlePath,
    };
    const client = env.client;

    const runOnce = async (label: string, workflowType: string, args: unknown[], count: number) => {
      for (const sim of Object.values(erp)) await admin(sim.url, 'reset', {}, ca.caPem);
      const taskQueue = `bench-workday-${label}`;
      const child = fork(join(__dirname, 'bench', 'worker.ts'), [], {
        env: {
          ...childEnv,
          BENCH_TASK_QUEUE: taskQueue,
          ...(mallocArenas ? { MALLOC_ARENA_MAX: mallocArenas } : {}),
        },
        execArgv: ['--import', 'tsx', ...workerNodeOptions.split(' ').filter(Boolean)],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.add(child);
      await waitFor(child, 'ready');
      const readyMb = procMb(child.pid!, 'VmRSS');
      let sampledPeak = 0;
      const sampler = setInterval(() => {
        sampledPeak = Math.max(sampledPeak, procMb(child.pid!, 'VmRSS'));
      }, 250);
      const started = performance.now();
      const workflowId = `bench-workday-${label}-${Date.now()}`;
      const handle = await client.workflow.start(workflowType, { taskQueue, workflowId, args });
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const peakMb = procMb(child.pid!, 'VmHWM');
      const { requests, memory, cpu } = await (async () => {
        const reply = waitFor<{
          requests: RunFigures['requests'];
          memory: NodeJS.MemoryUsage;
          cpu: NodeJS.CpuUsage;
        }>(child, 'stats');
        child.send({ type: 'stats' });
        return reply;
      })();
      if (process.env.BENCH_DEBUG)
        console.log(label, {
          cpu,
          parentCpu: process.cpuUsage(),
          readyMb,
          sampledPeak,
          peakMb,
          memory: Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Math.round(v / 1048576)])),
        });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
      children.delete(child);
      const { events, runs } = await chainHistory(client, workflowId, handle.firstExecutionRunId);
      return { label, rows: count, seconds, requests, events, runs, peakMb, readyMb, sampledPeak, result };
    };

    const expectEmployees = (label: string, expected: SeededExport['validIds']) => {
      for (const region of ['us', 'eu'] as const) {
        const table = erp[region].state.docs.get('Employee') ?? new Map();
        const numbers = new Set([...table.values()].map((d) => String(d.employee_number)));
        const want = expected[region];
        const missing = want.filter((id) => !numbers.has(id)).length;
        if (table.size !== want.length || missing > 0)
          throw new Error(
            `${label}: ERPNext ${region} holds ${table.size} employees, expected ${want.length} (${missing} missing)`,
          );
      }
    };

    const batched = await runOnce(
      'batched',
      'workdayEmployeeImport',
      [{ mode: 'full', file: 'workers_20240131.csv', batchSize, refreshTableauOnDrift: false }],
      rows,
    );
    const report = batched.result as WorkdayImportReport;
    if (
      report.outcome !== 'completed' ||
      report.read !== rows ||
      report.invalid !== seeded.invalidRows.length
    )
      throw new Error(`batched run: unexpected report ${JSON.stringify(report)}`);
    expectEmployees('batched', seeded.validIds);

    const naive = await runOnce('naive', 'benchNaiveImport', [{ file: 'workers_20240201.csv' }], naiveRows);
    expectEmployees('naive', naiveSeeded.validIds);

    const rate = (r: RunFigures) => r.rows / r.seconds;
    const widths = [8, 9, 7, 8, 13, 9, 20, 15];
    const row = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
    const line = (r: RunFigures) =>
      row([
        r.label,
        String(r.rows),
        r.seconds.toFixed(1),
        Math.round(rate(r)).toString(),
        String(r.requests.erpnext),
        String(r.requests.sftp),
        `${r.events} (${r.runs} runs)`,
        r.peakMb.toFixed(0),
      ]);
    console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? ''}, Node ${process.version}`);
    console.log(
      `worker: node ${workerNodeOptions || '(no options)'}, MALLOC_ARENA_MAX=${mallocArenas || '(unset)'}`,
    );
    console.log(
      `batch size ${batchSize}; ${report.batches} batches; valid ${report.valid}, invalid ${report.invalid}; ` +
        `created us ${report.regions.us.created} eu ${report.regions.eu.created}`,
    );
    console.log(
      row([
        'design',
        'rows',
        'secs',
        'rows/s',
        'ERPNext reqs',
        'SFTP ops',
        'history events',
        'worker peak MB',
      ]),
    );
    console.log(line(batched));
    console.log(line(naive));
    const ratio = rate(batched) / rate(naive);
    console.log(
      `ratio: batched is ${ratio.toFixed(1)}x the naive design's rows/s; ` +
        `${(batched.events / rows).toFixed(3)} vs ${(naive.events / naiveRows).toFixed(1)} history events per row`,
    );
    console.log(
      `targets: rows/s >= 5000 ${rate(batched) >= 5000 ? 'met' : 'MISSED'}; >= 20x naive ${ratio >= 20 ? 'met' : 'MISSED'}; ` +
        `worker peak <= 300 MB ${batched.peakMb <= 300 ? 'met' : 'MISSED'}; ` +
        `history <= 5000 per 100k rows ${(batched.events / rows) * 100_000 <= 5000 ? 'met' : 'MISSED'}`,
    );
    console.log('check: ERPNext US and EU hold exactly the valid employees of each export');
  } finally {
    for (const child of children) child.kill();
    await env?.teardown();
    for (const close of closers) await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
