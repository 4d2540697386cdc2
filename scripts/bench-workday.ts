// Benchmark: workdayEmployeeImport over a seeded export (default 100,000 rows, ~1% invalid) into the
// ERPNext simulators (US/EU), on the dev server, with the worker in a child process, read over SFTP
// from OpenSSH's sshd (the real part) and from the SFTP simulator. In the same run: the ceiling (the
// same batch activity, records and ERPNext requests with no Temporal and no SFTP, see bench/ceiling.ts)
// and the naive design (one activity per record, single-record writes) over --naive-rows rows from sshd,
// and the batched run over sshd again with the payload codec on (client and worker), for its cost.
// Prints rows/s and each as a share of the ceiling, vendor requests, history events (every run of
// the continue-as-new chain) and peak RSS, and checks ERPNext holds exactly the valid employees.
// Needs root for sshd (test/helpers/sshd.ts).
// Usage: npm run bench:workday [-- --rows 100000 --naive-rows 10000 --batch-size 1000 --lanes 3 --repeat 1]
// (--repeat N: the ceilings and the three batched runs N times, interleaved, the fastest of each shown)
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { dataConverterFor, FAILURE_CONVERTER_PATH } from '../src/codec/dataConverter';
import { generateKeyRing, keyRingFrom } from '../src/codec/keyRing';
import { startErpnextSimulator } from '../simulators/erpnext/server';
import { createLocalCa } from '../simulators/kit/local-ca';
import { startSftpSimulator } from '../simulators/sftp/server';
import { admin } from '../test/helpers/simulators';
import { putExport, startSshd } from '../test/helpers/sshd';
import { devServer, endLongLivedRuns } from '../test/helpers/temporal';
import { SftpSource, type SftpOptions } from '../src/vendors/sftp';
import type { WorkdayImportReport } from '../src/workflows/workdayEmployeeImport';
import { chainHistory, message, procMb } from './bench/processes';
import { PRODUCTION_NODE_OPTIONS, compileBenchChildren } from './bench/compiled';
import { simulatorEnv } from './local-env';
import { generateWorkdayExport, type SeededExport } from './seed-workday';
import { DEFAULT_BATCH_LANES } from '../src/workflows/workdayImport/batchLanes';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** MB/s of one whole read of `file` through the production client (connection already open). */
async function readSpeed(options: SftpOptions, file: string): Promise<number> {
  const source = new SftpSource(options);
  try {
    const size = await source.size(file);
    const started = performance.now();
    let bytes = 0;
    for await (const chunk of await source.read(file)) bytes += (chunk as Buffer).length;
    if (bytes !== size) throw new Error(`read ${bytes} of ${size} bytes of ${file}`);
    return size / 1e6 / ((performance.now() - started) / 1000);
  } finally {
    await source.close();
  }
}

interface RunFigures {
  label: string;
  server: string;
  rows: number;
  seconds: number;
  requests: { erpnext: number; sftp: number };
  /** Undefined for the ceiling: it has no workflow. */
  events?: number;
  runs?: number;
  /** Seconds from scheduled to completed per activity type. */
  activities?: Record<string, number>;
  peakMb: number;
  result?: unknown;
}

type Requests = RunFigures['requests'];
const FILE = 'workers_20240131.csv';
const NAIVE_FILE = 'workers_20240201.csv';

async function main(): Promise<void> {
  const rows = arg('rows', 100_000);
  const naiveRows = arg('naive-rows', 10_000);
  const batchSize = arg('batch-size', 1000);
  const lanes = arg('lanes', DEFAULT_BATCH_LANES);
  const repeat = arg('repeat', 1);
  // The worker's production memory settings (the Dockerfile's NODE_OPTIONS and MALLOC_ARENA_MAX,
  // docs/benchmarks.md): a bounded V8 old space, so V8 collects instead of growing the heap because
  // the host has memory to spare, small young-generation semi-spaces, and two glibc malloc arenas
  // for the SDK's native threads. Override with BENCH_WORKER_NODE_OPTIONS / BENCH_MALLOC_ARENA_MAX (an empty
  // value leaves the setting out).
  const workerNodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS;
  const mallocArenas = process.env.BENCH_MALLOC_ARENA_MAX ?? '2';
  const dir = mkdtempSync(join(tmpdir(), 'bench-workday-'));
  const closers: (() => Promise<void>)[] = [];
  let env: Awaited<ReturnType<typeof devServer>> | undefined;
  const children = new Set<ChildProcess>();
  const loadBefore = loadavg();
  // Ctrl-C: no worker, dev server, sshd or temp folder left behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      for (const child of children) child.kill('SIGKILL');
      void env
        ?.teardown()
        .then(async () => {
          for (const close of closers) await close().catch(() => undefined);
        })
        .finally(() => {
          rmSync(dir, { recursive: true, force: true });
          process.exit(130);
        });
    });
  try {
    // Only the servers the import talks to: sshd, the SFTP simulator and the two ERPNext regions.
    const ca = await createLocalCa(join(dir, 'sims', 'ca'));
    const erp = {
      us: await startErpnextSimulator({ port: 0, tls: { ca } }),
      eu: await startErpnextSimulator({ port: 0, tls: { ca }, name: 'erpnext-eu' }),
    };
    closers.push(
      () => erp.us.close(),
      () => erp.eu.close(),
    );
    const sftp = await startSftpSimulator({
      port: 0,
      rootDir: join(dir, 'sims', 'sftp'),
      hostKeyFile: join(dir, 'sims', 'sftp-host-key'),
    });
    closers.push(() => sftp.close());
    const sshd = await startSshd();
    closers.push(() => sshd.stop());
    env = await devServer();
    const exports = join(dir, 'sims', 'sftp', 'exports');
    const seeded = generateWorkdayExport({ rows, seed: 42 });
    writeFileSync(join(exports, FILE), seeded.content);
    putExport(sshd, FILE, seeded.content);
    const naiveSeeded = generateWorkdayExport({ rows: naiveRows, seed: 42 });
    putExport(sshd, NAIVE_FILE, naiveSeeded.content);
    console.log(
      `export: ${rows} rows (${seeded.invalidRows.length} invalid, ${(seeded.content.length / 1e6).toFixed(1)} MB); ` +
        `naive: ${naiveRows} rows`,
    );

    const bundlePath = join(dir, 'workflow-bundle.js');
    const { code } = await bundleWorkflowCode({
      failureConverterPath: FAILURE_CONVERTER_PATH,
      workflowsPath: require.resolve('./bench/workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    });
    writeFileSync(bundlePath, code);

    const baseEnv = {
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
      AUDIT_LOG: join(dir, 'audit.jsonl'),
      ...(mallocArenas ? { MALLOC_ARENA_MAX: mallocArenas } : {}),
      // No codec unless a run asks for it (a ring in the caller's environment would blur the comparison).
      CODEC_KEYS: '',
      CODEC_KEYS_FILE: '',
    };
    // A ring made for this run only: the codec rows encrypt with it, in the worker and the client.
    const ring = generateKeyRing({ default: 'bench-1', eu: 'bench-eu-1' });
    const codecClient = new Client({
      connection: env.connection,
      namespace: env.namespace,
      dataConverter: dataConverterFor(keyRingFrom(ring)),
    });
    const servers = { simulator: {}, sshd: sshd.env };
    const compiled = compileBenchChildren();
    const execArgv = workerNodeOptions.split(' ').filter(Boolean);
    const start = (script: string, childEnv: NodeJS.ProcessEnv) => {
      const child = fork(compiled(script), [], {
        env: childEnv,
        execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.add(child);
      return child;
    };
    const resetErpnext = async () => {
      for (const sim of Object.values(erp)) await admin(sim.url, 'reset', {}, ca.caPem);
    };

    const ceiling = async (ceilingLanes = 1): Promise<RunFigures> => {
      await resetErpnext();
      const child = start('ceiling.ts', {
        ...baseEnv,
        BENCH_EXPORT_DIR: exports,
        BENCH_EXPORT_FILE: FILE,
        BENCH_BATCH_SIZE: String(batchSize),
        BENCH_LANES: String(ceilingLanes),
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const done = await message<Pick<RunFigures, 'rows' | 'seconds' | 'requests' | 'peakMb'>>(child, 'done');
      await exited;
      children.delete(child);
      return {
        label: ceilingLanes > 1 ? `ceiling×${ceilingLanes}` : 'ceiling',
        server: 'local disk',
        ...done,
      };
    };

    const runOnce = async (
      label: string,
      server: keyof typeof servers,
      workflowType: string,
      args: unknown[],
      count: number,
      codec = false,
    ): Promise<RunFigures> => {
      await resetErpnext();
      // A breaker lives on the task queue of the run that started it: the last run's queue has no
      // worker any more, so its breakers end before this run asks them.
      await endLongLivedRuns(env!);
      const taskQueue = `bench-workday-${label}-${server}`;
      const client = codec ? codecClient : env!.client;
      const child = start('worker.ts', {
        ...baseEnv,
        ...servers[server],
        ...(codec ? { CODEC_KEYS: JSON.stringify(ring) } : {}),
        BENCH_TEMPORAL_ADDRESS: env!.address,
        BENCH_WORKFLOW_BUNDLE: bundlePath,
        BENCH_TASK_QUEUE: taskQueue,
      });
      await message(child, 'ready');
      const started = performance.now();
      const workflowId = `${taskQueue}-${Date.now()}`;
      const handle = await client.workflow.start(workflowType, { taskQueue, workflowId, args });
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const peakMb = procMb(child.pid!, 'VmHWM');
      const reply = message<{ requests: Requests; peaks: Record<string, number> }>(child, 'stats');
      child.send({ type: 'stats' });
      const { requests, peaks } = await reply;
      if (process.env.BENCH_DEBUG)
        console.log(
          `${label} ${server} worker peaks (MB): ` +
            Object.entries(peaks)
              .map(([part, bytes]) => `${part} ${(bytes / 1e6).toFixed(0)}`)
              .join(', '),
        );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
      children.delete(child);
      const history = await chainHistory(client, workflowId, handle.firstExecutionRunId);
      return { label, server, rows: count, seconds, requests, ...history, peakMb, result };
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
    const batchedRun = async (server: keyof typeof servers, codec = false) => {
      const run = await runOnce(
        codec ? 'codec' : 'batched',
        server,
        'workdayEmployeeImport',
        [{ mode: 'full', file: FILE, batchSize, batchLanes: lanes, refreshTableauOnDrift: false }],
        rows,
        codec,
      );
      const report = run.result as WorkdayImportReport;
      if (
        report.outcome !== 'completed' ||
        report.read !== rows ||
        report.invalid !== seeded.invalidRows.length
      )
        throw new Error(`batched run (${server}): unexpected report ${JSON.stringify(report)}`);
      expectEmployees(`batched (${server})`, seeded.validIds);
      return run;
    };

    const remote = `/exports/${FILE}`;
    const speeds = { sshd: await readSpeed(sshd, remote), simulator: await readSpeed(sftp, remote) };
    // Interleaved repeats, the fastest of each kept: other work on a shared machine only slows a run.
    const tries: Record<'ceiling' | 'ceilingLanes' | 'codec' | keyof typeof servers, RunFigures[]> = {
      ceiling: [],
      ceilingLanes: [],
      sshd: [],
      codec: [],
      simulator: [],
    };
    for (let i = 0; i < repeat; i++) {
      tries.ceiling.push(await ceiling());
      expectEmployees('ceiling', seeded.validIds);
      if (lanes > 1) {
        tries.ceilingLanes.push(await ceiling(lanes));
        expectEmployees(`ceiling with ${lanes} lanes`, seeded.validIds);
      }
      tries.sshd.push(await batchedRun('sshd'));
      tries.codec.push(await batchedRun('sshd', true));
      tries.simulator.push(await batchedRun('simulator'));
    }
    const fastest = (runs: RunFigures[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const top = fastest(tries.ceiling);
    const topLanes = lanes > 1 ? fastest(tries.ceilingLanes) : undefined;
    const overSshd = fastest(tries.sshd);
    const overSimulator = fastest(tries.simulator);
    const withCodec = fastest(tries.codec);
    const naive = await runOnce('naive', 'sshd', 'benchNaiveImport', [{ file: NAIVE_FILE }], naiveRows);
    expectEmployees('naive', naiveSeeded.validIds);

    const rate = (r: RunFigures) => r.rows / r.seconds;
    const share = (r: RunFigures) => rate(r) / rate(top);
    const widths = [9, 10, 9, 6, 7, 8, 13, 9, 18, 8];
    const row = (cells: string[]) =>
      cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
    const line = (r: RunFigures) =>
      row([
        r.label,
        r.server,
        String(r.rows),
        r.seconds.toFixed(1),
        Math.round(rate(r)).toString(),
        `${(share(r) * 100).toFixed(r === naive ? 2 : 0)}%`,
        String(r.requests.erpnext),
        String(r.requests.sftp),
        r.events === undefined ? '–' : `${r.events} (${r.runs} runs)`,
        r.peakMb.toFixed(0),
      ]);
    const report = overSshd.result as WorkdayImportReport;
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `machine: ${cpus().length} cores, ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.version}; load average before ${load(loadBefore)}, after ${load(loadavg())}`,
    );
    console.log(
      `worker: compiled, node ${workerNodeOptions || '(no options)'}, MALLOC_ARENA_MAX=${mallocArenas || '(unset)'}`,
    );
    console.log(
      `SFTP read of the whole export: sshd ${speeds.sshd.toFixed(0)} MB/s, simulator ${speeds.simulator.toFixed(0)} MB/s`,
    );
    console.log(
      `batch size ${batchSize}, ${lanes} at a time; ${report.batches} batches; valid ${report.valid}, invalid ${report.invalid}; ` +
        `created us ${report.regions.us.created} eu ${report.regions.eu.created}`,
    );
    console.log(
      row([
        'design',
        'export on',
        'rows',
        'secs',
        'rows/s',
        'ceiling',
        'ERPNext reqs',
        'SFTP ops',
        'history events',
        'peak MB',
      ]),
    );
    for (const r of [top, ...(topLanes ? [topLanes] : []), overSshd, withCodec, overSimulator, naive])
      console.log(line(r));
    if (repeat > 1)
      console.log(
        `fastest of ${repeat} interleaved runs each; rows/s of every run: ` +
          Object.entries(tries)
            .map(([name, runs]) => `${name} ${runs.map((r) => Math.round(rate(r))).join(', ')}`)
            .join('; '),
      );
    for (const r of [overSshd, withCodec, overSimulator]) {
      const spent = Object.entries(r.activities!).map(([name, s]) => `${name} ${s.toFixed(1)} s`);
      const inActivities = Object.values(r.activities!).reduce((a, b) => a + b, 0);
      console.log(
        `${r.label} over ${r.server}: ${spent.join(', ')}; ` +
          (lanes > 1
            ? `run ${r.seconds.toFixed(1)} s (batches overlap, ${lanes} at a time)`
            : `between activities ${(r.seconds - inActivities).toFixed(1)} s`),
      );
    }
    const ratio = rate(overSshd) / rate(naive);
    console.log(
      `batched over sshd: ${(share(overSshd) * 100).toFixed(0)}% of the ceiling, ${ratio.toFixed(0)}x the naive ` +
        `design's rows/s; ${(overSshd.events! / rows).toFixed(3)} vs ${(naive.events! / naiveRows).toFixed(1)} ` +
        'history events per row',
    );
    if (topLanes)
      console.log(
        `against the ceiling with the same ${lanes} lanes (scan included): batched over sshd ` +
          `${((rate(overSshd) / rate(topLanes)) * 100).toFixed(0)}%, over the simulator ` +
          `${((rate(overSimulator) / rate(topLanes)) * 100).toFixed(0)}%`,
      );
    const codecCost = 1 - rate(withCodec) / rate(overSshd);
    console.log(
      `payload codec (AES-256-GCM, gzip from 2 KiB) over sshd: ${Math.round(rate(withCodec))} rows/s with, ` +
        `${Math.round(rate(overSshd))} without: costs ${(codecCost * 100).toFixed(1)}% of rows/s`,
    );
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(
      `targets (batched over sshd): >= 80% of the ceiling ${verdict(share(overSshd) >= 0.8)}; ` +
        `rows/s >= 5000 ${verdict(rate(overSshd) >= 5000)}; >= 20x naive ${verdict(ratio >= 20)}; ` +
        `worker peak <= 300 MB ${verdict(Math.max(overSshd.peakMb, overSimulator.peakMb) <= 300)}; ` +
        `history <= 5000 per 100k rows ${verdict((overSshd.events! / rows) * 100_000 <= 5000)}; ` +
        `simulator no slower than sshd (10% noise allowed) ${verdict(rate(overSimulator) >= rate(overSshd) * 0.9)}; ` +
        `export read from sshd >= 20 MB/s ${verdict(speeds.sshd >= 20)}; ` +
        `codec costs <= 10% of rows/s ${verdict(codecCost <= 0.1)}`,
    );
    console.log('check: ERPNext US and EU held exactly the valid employees of the export after every run');
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
