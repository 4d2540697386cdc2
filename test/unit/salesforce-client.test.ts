// The Salesforce client against the simulator: keyset pages over 1,000 Accounts sharing one
// SystemModstamp see each exactly once; an expired session is refreshed once; the allocation shows
// in Sforce-Limit-Info and runs out as 403 REQUEST_LIMIT_EXCEEDED; Bulk 2.0 query pages by locator.
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { createLocalCa } from '../../simulators/kit/local-ca';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { SALESFORCE_DEFAULTS, startSalesforceSimulator } from '../../simulators/salesforce/server';
import type { SalesforceState } from '../../simulators/salesforce/state';
import {
  accountDeltaSoql,
  laterCursor,
  type SalesforceAccount,
  type SalesforceCursor,
} from '../../src/domain/salesforce';
import { LimitExceededError, SalesforceClient } from '../../src/vendors/salesforce/client';
import { tempDir, fetchWith } from './simulators/helpers';

describe('Salesforce client against the simulator', () => {
  let sim: HttpSimulator<SalesforceState>;
  let client: SalesforceClient;
  let admin: ReturnType<typeof fetchWith>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const stamp = '2026-11-01T10:00:00.000Z';
  const horizon = '2030-01-01T00:00:00.000Z';

  before(async () => {
    dir = await tempDir('sf-');
    const ca = await createLocalCa(dir.dir);
    sim = await startSalesforceSimulator({ port: 0, tls: { ca } });
    admin = fetchWith(ca.caPem);
    const [clientId, clientSecret] = Object.entries(SALESFORCE_DEFAULTS.clients)[0]!;
    client = new SalesforceClient({
      loginUrl: sim.url,
      clientId,
      clientSecret,
      apiVersion: 'v60.0',
      extraCaPem: ca.caPem,
    });
  });
  after(async () => {
    await sim.close();
    await admin.close();
    await dir.remove();
  });
  beforeEach(async () => {
    await admin(`${sim.url}/__admin/reset`, { method: 'POST', json: {} });
  });

  it('reads 1,000 Accounts that share one SystemModstamp exactly once across keyset pages', async () => {
    await admin(`${sim.url}/__admin/salesforce/accounts`, { json: { count: 1000, systemModstamp: stamp } });
    const seen = new Map<string, number>();
    let cursor: SalesforceCursor | undefined;
    for (let pages = 0; pages < 20; pages++) {
      let page = await client.query<SalesforceAccount>(accountDeltaSoql(cursor, horizon, 300), {
        all: true,
        batchSize: 200,
      });
      const records = [...page.records];
      while (!page.done && page.nextRecordsUrl) {
        page = await client.queryMore<SalesforceAccount>(page.nextRecordsUrl);
        records.push(...page.records);
      }
      if (records.length === 0) break;
      for (const r of records) {
        seen.set(r.Id, (seen.get(r.Id) ?? 0) + 1);
        cursor = laterCursor(cursor, { systemModstamp: r.SystemModstamp, id: r.Id });
      }
    }
    assert.equal(seen.size, 1000);
    assert.deepEqual([...new Set(seen.values())], [1]);
  });

  it('signs in again once when the session expired, and counts the allocation', async () => {
    await client.limits();
    await admin(`${sim.url}/__admin/salesforce/settings`, { json: { sessionTtlMs: 0 } });
    await assert.rejects(client.limits(), /INVALID_SESSION_ID/);
    await admin(`${sim.url}/__admin/salesforce/settings`, { json: { sessionTtlMs: 60_000 } });
    const usage = await client.limits();
    assert.equal(usage.max, 100_000);
    assert.deepEqual(client.usage, { used: usage.used, max: 100_000 });
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the allocation is spent', async () => {
    await admin(`${sim.url}/__admin/salesforce/allocation`, { json: { max: 3, used: 3 } });
    await assert.rejects(
      client.limits(),
      (err) => err instanceof LimitExceededError && err.usage?.used === 3,
    );
  });

  it('pages a Bulk 2.0 query job by Sforce-Locator', async () => {
    await admin(`${sim.url}/__admin/salesforce/accounts`, { json: { count: 250, systemModstamp: stamp } });
    const job = await client.createQueryJob(accountDeltaSoql(undefined, horizon), 'queryAll');
    assert.equal((await client.queryJob(job.id)).state, 'JobComplete');
    const ids = new Set<string>();
    let locator: string | undefined;
    let pages = 0;
    do {
      const page = await client.queryResults(job.id, locator, 100);
      for (const row of parse(page.csv, { columns: true }) as { Id: string }[]) ids.add(row.Id);
      locator = page.locator;
      pages++;
    } while (locator);
    assert.equal(ids.size, 250);
    assert.equal(pages, 3);
  });
});
