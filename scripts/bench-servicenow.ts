// Benchmark: servicenowIncidentSync over 50,000 changed incidents on the dev server against the
// ServiceNow simulator. Prints records/s and requests unthrottled, then under a rate-limit rule,
// how much of the budget the run used (target >= 90%) and whether it ever went over (429s).
// Usage: npm run bench:servicenow [-- --records 50000 --page 1000 --budget 36000]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createLocalCa } from '../simulators/kit/local-ca';
import { startServicenowSimulator } from '../simulators/servicenow/server';
import { createActivities } from '../src/activities';
import { ServicenowClient } from '../src/vendors/servicenow';
import type { IncidentSyncReport } from '../src/workflows/servicenowIncidentSync';
import { devServer } from '../test/helpers/temporal';
import { createWorkerGroup } from '../src/workerGroup';
import { dataConverterFromEnv } from '../src/codec/dataConverter';
import { budgetSharePacer } from '../src/pacing/budgetShare';
import { paceVendor } from '../src/pacing/vendorPacers';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const records = arg('records', 50_000);
  const pageSize = arg('page', 1000);
  const throttledPage = arg('throttled-page', 500);
  const budgetPerHour = arg('budget', 36_000); // 10 requests/s
  const dir = mkdtempSync(join(tmpdir(), 'bench-sn-'));
  const ca = await createLocalCa(dir);
  const sim = await startServicenowSimulator({ port: 0, tls: { ca } });
  // The dev server with the Connector search attribute every workflow sets registered; the payload
  // codec when CODEC_KEYS is set.
  const dataConverter = dataConverterFromEnv();
  const env = await devServer({ dataConverter });
  const adminPost = (path: string, body: unknown) =>
    fetch(`${sim.url}/__admin/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...({
        dispatcher: new Agent({ connect: { ca: ca.caPem } }),
      } as object),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);

  try {
    // 50,000 incidents over 50 seconds of sys_updated_on: 1,000 rows share each second.
    for (let s = 0; s < records / 1000; s++) {
      const updatedOn = new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString().slice(0, 19).replace('T', ' ');
      await adminPost('servicenow/seed', {
        table: 'incident',
        generate: {
          count: 1000,
          fields: { short_description: 'bench', sys_updated_on: updatedOn, sys_mod_count: '3' },
        },
      });
    }
    const since = { incident: { updatedOn: '2024-04-30 00:00:00', sysId: '0'.repeat(32) } };

    const runOnce = async (label: string, client: ServicenowClient, page: number) => {
      const taskQueue = `bench-${label}`;
      const worker = await createWorkerGroup({
        connection: env.nativeConnection,
        dataConverter,
        taskQueue,
        workflowsPath: require.resolve('../src/workflows'),
        activities: createActivities({ notifications: {}, connectors: {}, servicenow: { client } }),
      });
      const started = performance.now();
      const report = (await worker.runUntil(
        env.client.workflow.execute('servicenowIncidentSync', {
          taskQueue,
          workflowId: `bench-${label}`,
          args: [{ cursor: since, pageSize: page, settleSeconds: 0 }],
        }),
      )) as IncidentSyncReport;
      const seconds = (performance.now() - started) / 1000;
      const history = await env.client.workflow.getHandle(`bench-${label}`).fetchHistory();
      return { report, seconds, requests: client.requests, events: history.events?.length ?? 0 };
    };
    const clientOptions = {
      url: sim.url,
      username: 'integration.user',
      password: 'sim-password',
      extraCaPem: ca.caPem,
    };

    const free = await runOnce('unthrottled', new ServicenowClient(clientOptions), pageSize);
    console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? ''}, Node ${process.version}`);
    console.log(
      `unthrottled: ${free.report.records} records in ${free.seconds.toFixed(2)} s = ${Math.round(free.report.records / free.seconds)} records/s, ` +
        `${free.requests} requests, ${free.report.pages} pages of ${pageSize}, ${free.events} history events`,
    );

    // A rule of `budget` requests/hour, counted in 1-second windows so a short run can exceed it.
    await adminPost('servicenow/rate-limit', { limitPerHour: budgetPerHour, windowSeconds: 1 });
    // The worker's pacing of a rate-budgeted vendor, as one worker alone on the queue.
    paceVendor(
      'servicenow',
      budgetSharePacer(budgetPerHour / 3600, () => 1),
    );
    const throttledClient = new ServicenowClient(clientOptions);
    const slow = await runOnce('throttled', throttledClient, throttledPage);
    const stats = (await fetch(`${sim.url}/__admin/servicenow/rate-limit`, {
      ...({
        dispatcher: new Agent({ connect: { ca: ca.caPem } }),
      } as object),
    }).then((r) => r.json())) as { stats: { limited: number; maxInWindow: number } };
    const perSecond = budgetPerHour / 3600;
    const used = slow.requests / (slow.seconds * perSecond);
    console.log(
      `throttled (${budgetPerHour}/h = ${perSecond}/s): ${slow.report.records} records in ${slow.seconds.toFixed(2)} s = ` +
        `${Math.round(slow.report.records / slow.seconds)} records/s, ${slow.requests} requests, ` +
        `budget used ${(used * 100).toFixed(1)}%, max ${stats.stats.maxInWindow} requests in a 1-s window (limit ${Math.floor(perSecond)}), ` +
        `429s: ${stats.stats.limited}`,
    );
  } finally {
    await env.teardown();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
