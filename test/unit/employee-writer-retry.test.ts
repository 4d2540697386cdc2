// A retried employee write after its first attempt's answer was lost (the vendor committed, the
// worker died): the retry reports what that attempt wrote as created/updated, not unchanged, and
// confirms it in the audit trail, which the dead attempt never could. ERPNext runs on Los Angeles
// time here, so its site-local `creation`/`modified` must be converted to compare with Temporal's
// UTC schedule time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createLocalCa } from '../../simulators/kit/local-ca';
import { startErpnextSimulator } from '../../simulators/erpnext/server';
import { useAuditWriter, type AuditRecord } from '../../src/audit';
import { createEmployeeWriter } from '../../src/activities/erpnext/writer';
import type { RegionCounts } from '../../src/domain/employee';
import type { ErpnextEmployeeFields } from '../../src/domain/employeeValidation';
import { ErpnextClient } from '../../src/vendors/erpnext';
import { testEmployee } from '../helpers/employees';
import { waitFor } from '../helpers/waitFor';

const TIME_ZONE = 'America/Los_Angeles';

const employee = (n: number, version = 1) =>
  testEmployee(n, { custom_workday_hash: `hash-${n}-v${version}` });

describe('employee writer on a retry after a lost answer', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'writer-retry-'));
  let sim: Awaited<ReturnType<typeof startErpnextSimulator>>;
  let client: ErpnextClient;
  const lines: AuditRecord[] = [];

  before(async () => {
    const ca = await createLocalCa(path.join(dir, 'ca'));
    sim = await startErpnextSimulator({ tls: { ca }, timeZone: TIME_ZONE });
    client = new ErpnextClient({
      url: sim.url,
      apiKey: 'sim-key',
      apiSecret: 'sim-secret',
      extraCaPem: ca.caPem,
      timeZone: TIME_ZONE,
    });
    useAuditWriter((record) => lines.push(record));
  });
  after(async () => {
    useAuditWriter(() => {});
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One attempt of an activity first scheduled at `scheduledMs`; `dies` loses every write's answer. */
  function attempt(n: number, scheduledMs: number, docs: ErpnextEmployeeFields[], dies = false) {
    const env = new MockActivityEnvironment(
      { attempt: n, scheduledTimestampMs: scheduledMs, activityType: 'workdayImportBatch' },
      { logger: new DefaultLogger('ERROR') },
    );
    const lost = (): never => {
      throw new Error('socket hang up: the worker died after ERPNext committed');
    };
    const vendor = dies
      ? Object.assign(Object.create(client) as ErpnextClient, {
          insertMany: (doctype: string, d: Record<string, unknown>[]) =>
            client.insertMany(doctype, d).then(lost),
          bulkUpdate: (doctype: string, d: ({ docname: string } & Record<string, unknown>)[]) =>
            client.bulkUpdate(doctype, d).then(lost),
        })
      : client;
    const write = createEmployeeWriter({ us: vendor });
    return env.run(() => write('us', docs)) as Promise<RegionCounts>;
  }

  /** A first-schedule time after every write so far. */
  async function later(): Promise<number> {
    const now = Date.now();
    return waitFor('the clock to move past the earlier writes', async () =>
      Date.now() > now ? Date.now() : undefined,
    );
  }

  it('counts rows an earlier attempt wrote as created or updated and audits them', async () => {
    // A previous run wrote E1 and E2.
    await attempt(1, Date.now(), [employee(1), employee(2)]);

    // This batch: attempt 1 inserts E3 and E4, then dies before the answer (E2's update never sent).
    const batch = [employee(1), employee(2, 2), employee(3), employee(4)];
    const t0 = await later();
    await assert.rejects(attempt(1, t0, batch, true), /socket hang up/);
    lines.length = 0;
    const retried = await attempt(2, t0, batch);
    assert.deepEqual(
      { created: retried.created, updated: retried.updated, unchanged: retried.unchanged },
      { created: 2, updated: 1, unchanged: 1 },
    );
    const confirmed = lines.filter((l) => l.outcome === 'confirmed');
    assert.deepEqual(
      confirmed.map((l) => [l.action, l.target, l.detail?.attempt]),
      [['Employee.insert_many', 'E3,E4', 2]],
    );

    // Another batch: attempt 1's update of E1 is committed, its answer lost.
    const t1 = await later();
    await assert.rejects(attempt(1, t1, [employee(1, 2)], true), /socket hang up/);
    lines.length = 0;
    const again = await attempt(2, t1, [employee(1, 2)]);
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 1, 0]);
    assert.deepEqual(
      lines.map((l) => [l.action, l.target, l.outcome]),
      [['Employee.bulk_update', 'E1', 'confirmed']],
    );
  });
});
