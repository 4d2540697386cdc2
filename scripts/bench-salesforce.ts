// Benchmark: 100,000 Accounts each way between the Salesforce simulator and the ERPNext simulators
// (US and EU), on the dev server with the production worker in a child process. Salesforce →
// ERPNext: the Bulk 2.0 query path (first load) against the REST keyset path (queryAll pages of
// 2,000). ERPNext → Salesforce: the Bulk 2.0 ingest upsert (salesforceAccountIntelligence) against
// sObject Collections of 200. For each: records/s and the API requests it consumed from the daily
// allocation (the scarce resource), and the worker's peak memory.
// Usage: npm run bench:salesforce [-- --accounts 100000]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { startErpnextSimulator } from '../simulators/erpnext/server';
import { createLocalCa } from '../simulators/kit/local-ca';
import { SALESFORCE_DEFAULTS, startSalesforceSimulator } from '../simulators/salesforce/server';
import { SIMULATOR_CREDENTIALS } from './local-env';
import { dataConverterFor } from '../src/codec/dataConverter';
import { generateKeyRing, keyRingFrom } from '../src/codec/keyRing';
import { ErpnextClient } from '../src/vendors/erpnext';
import { SalesforceClient } from '../src/vendors/salesforce/client';
import { devServer, productWorkflowBundle } from '../test/helpers/temporal';
import { message, procMb } from './bench/processes';
import { PRODUCTION_NODE_OPTIONS, compileBenchChildren } from './bench/compiled';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const accounts = arg('accounts', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-sf-'));
  const ca = await createLocalCa(dir);
  const sf = await startSalesforceSimulator({ port: 0, tls: { ca } });
  const us = await startErpnextSimulator({ port: 0, tls: { ca } });
  const eu = await startErpnextSimulator({ port: 0, tls: { ca }, name: 'erpnext-eu' });
  // Payloads encrypted as in production, with a ring made for this run (worker and client).
  const ring = generateKeyRing({ default: 'bench-1', eu: 'bench-eu-1' });
  const env = await devServer({ dataConverter: dataConverterFor(keyRingFrom(ring)) });
  const dispatcher = new Agent({ connect: { ca: ca.caPem } });
  const adminPost = (base: string, path: string, body: unknown) =>
    fetch(`${base}/__admin/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...({ dispatcher } as object),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const used = async () => Number((await adminPost(sf.url, 'salesforce/allocation', {})).used);
  const [clientId, clientSecret] = Object.entries(SALESFORCE_DEFAULTS.clients)[0]!;
  const c = SIMULATOR_CREDENTIALS;
  const taskQueue = 'bench-salesforce';
  let child: ChildProcess | undefined;
  try {
    await adminPost(sf.url, 'salesforce/allocation', { max: 10_000_000 });
    // Four in five Accounts billed in the US, one in five in Germany (the EU site).
    for (let i = 0; i < accounts; i += 10_000) {
      const n = Math.min(10_000, accounts - i);
      await adminPost(sf.url, 'salesforce/accounts', {
        count: (n * 4) / 5,
        country: 'US',
        namePrefix: `US ${i}`,
        systemModstamp: '2026-11-01T10:00:00.000Z',
      });
      await adminPost(sf.url, 'salesforce/accounts', {
        count: n / 5,
        country: 'DE',
        namePrefix: `DE ${i}`,
        systemModstamp: '2026-11-01T10:00:00.000Z',
      });
    }
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await productWorkflowBundle()).code);
    child = fork(compileBenchChildren()('salesforceWorker.ts'), [], {
      execArgv: PRODUCTION_NODE_OPTIONS.split(' '),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        MALLOC_ARENA_MAX: '2', // as the production image sets it (Dockerfile)
        CODEC_KEYS: JSON.stringify(ring),
        CODEC_KEYS_FILE: '',
        BENCH_TEMPORAL_ADDRESS: env.address,
        BENCH_TASK_QUEUE: taskQueue,
        BENCH_WORKFLOW_BUNDLE: bundlePath,
        TLS_CA_FILE: ca.caFile,
        AUDIT_LOG: 'off',
        SALESFORCE_LOGIN_URL: sf.url,
        SALESFORCE_CLIENT_ID: clientId,
        SALESFORCE_CLIENT_SECRET: clientSecret,
        ERPNEXT_URL: us.url,
        ERPNEXT_API_KEY: c.erpnextKey,
        ERPNEXT_API_SECRET: c.erpnextSecret,
        ERPNEXT_EU_URL: eu.url,
        ERPNEXT_EU_API_KEY: c.erpnextKey,
        ERPNEXT_EU_API_SECRET: c.erpnextSecret,
      },
    });
    await message(child, 'ready');
    const rows: string[] = [];
    const timed = async (label: string, run: () => Promise<unknown>) => {
      const before = await used();
      const started = performance.now();
      await run();
      const seconds = (performance.now() - started) / 1000;
      const requests = (await used()) - before;
      rows.push(
        `| ${label} | ${accounts} | ${seconds.toFixed(1)} | ${Math.round(accounts / seconds)} | ${requests} |`,
      );
      console.log(rows.at(-1));
      return requests;
    };
    const sync = (id: string, input: object) =>
      env.client.workflow.execute('salesforceAccountSync', {
        taskQueue,
        workflowId: id,
        args: [{ once: true, settleSeconds: 0, reserve: 0, ...input }],
      });

    const bulkIn = await timed('Salesforce → ERPNext, Bulk 2.0 query (first load)', () =>
      sync('bench-sync-bulk', { bulkPageSize: 10_000 }),
    );
    for (const site of [us, eu]) await adminPost(site.url, 'reset', {});
    const restIn = await timed('Salesforce → ERPNext, REST queryAll keyset pages of 2,000', () =>
      sync('bench-sync-rest', {
        cursor: { systemModstamp: '2000-01-01T00:00:00.000Z', id: '000000000000000AAA' },
        bulkThreshold: 10_000_000,
        pageSize: 2_000,
      }),
    );
    const bulkOut = await timed('ERPNext → Salesforce, Bulk 2.0 ingest upsert', () =>
      env.client.workflow.execute('salesforceAccountIntelligence', {
        taskQueue,
        workflowId: 'bench-intel',
        args: [{ pollInitial: '1 second', reserve: 0 }],
      }),
    );
    // The REST way out for comparison: the same rows as sObject Collections upserts of 200.
    const direct = new SalesforceClient({
      loginUrl: sf.url,
      clientId,
      clientSecret,
      apiVersion: 'v60.0',
      extraCaPem: ca.caPem,
    });
    const erp = [us, eu].map(
      (s) =>
        new ErpnextClient({
          url: s.url,
          apiKey: c.erpnextKey,
          apiSecret: c.erpnextSecret,
          extraCaPem: ca.caPem,
        }),
    );
    const restOut = await timed('ERPNext → Salesforce, sObject Collections of 200', async () => {
      for (const site of erp) {
        const customers = await site.list<{ custom_salesforce_id: string }>('Customer', {
          fields: ['custom_salesforce_id'],
          pageLength: 0,
        });
        for (let i = 0; i < customers.length; i += 200)
          await direct.upsertCollection(
            'Account',
            'Id',
            customers.slice(i, i + 200).map((x) => ({
              Id: x.custom_salesforce_id,
              Outstanding_Amount__c: '0.00',
              Overdue_Invoices__c: '0',
            })),
          );
      }
    });
    const peak = procMb(child.pid!, 'VmHWM');
    console.log('\n| flow | accounts | seconds | records/s | API requests |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(
      `\nBulk/REST requests: in ${((100 * bulkIn) / restIn).toFixed(1)}%, out ${((100 * bulkOut) / restOut).toFixed(1)}%`,
    );
    console.log(
      `Worker peak memory (VmHWM): ${peak.toFixed(0)} MB; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    child.send({ type: 'stop' });
  } finally {
    child?.kill();
    await env.teardown();
    await Promise.allSettled([sf.close(), us.close(), eu.close()]);
    await dispatcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
