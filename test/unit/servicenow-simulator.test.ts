// The ServiceNow simulator speaks the documented Table / Import Set / OAuth API, and our client
// reads it correctly: keyset pages over 1,000 rows that share one sys_updated_on see each row once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalCa } from '../../simulators/kit/local-ca';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { parseQuery, localToUtc } from '../../simulators/servicenow/query';
import { startServicenowSimulator } from '../../simulators/servicenow/server';
import { TABLES } from '../../simulators/servicenow/state';
import { compareCursor, keysetQuery, type KeysetCursor } from '../../src/domain/cursor';
import { VendorError } from '../../src/vendors/errors';
import { ServicenowClient } from '../../src/vendors/servicenow';
import { ServicenowSimAccess, sysIdFor } from '../helpers/servicenow';

describe('ServiceNow simulator and client', () => {
  let dir: string;
  let sim: HttpSimulator;
  let caPem: string;
  let access: ServicenowSimAccess;
  const basic = () =>
    new ServicenowClient({
      url: sim.url,
      username: 'integration.user',
      password: 'sim-password',
      extraCaPem: caPem,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sn-'));
    const ca = await createLocalCa(dir);
    caPem = ca.caPem;
    sim = await startServicenowSimulator({
      port: 0,
      tls: { ca },
      users: {
        'integration.user': { password: 'sim-password' },
        'berlin.user': { password: 'pw', timeZone: 'Europe/Berlin' },
      },
    });
    access = new ServicenowSimAccess(sim.url, caPem);
  });
  after(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => access.reset());

  it('parses ^, ^OR, ^NQ and ORDERBY, ignores unknown fields, reads gs.dateGenerate in the user zone', () => {
    const fields = TABLES.incident!.fields;
    const q = parseQuery('priority=1^ORstate=2^nosuchfield=x^NQnumber=INC1^ORDERBYDESCsys_updated_on', {
      fields,
    });
    assert.deepEqual(q.order, [{ field: 'sys_updated_on', desc: true }]);
    assert.equal(q.groups.length, 2);
    assert.equal(q.groups[0]!.length, 1, 'the unknown field is dropped');
    assert.equal(q.groups[0]![0]!.length, 2, 'priority=1 OR state=2');
    assert.throws(() => parseQuery('nosuchfield=x', { fields, strict: true }), /Invalid field/);
    assert.equal(localToUtc('2024-07-01', '12:00:00', 'Europe/Berlin'), '2024-07-01 10:00:00');
    assert.equal(localToUtc('2024-01-01', '12:00:00', 'Europe/Berlin'), '2024-01-01 11:00:00');
  });

  it('lists with X-Total-Count, Link and string values; 401 uses the error envelope', async () => {
    await access.seed('incident', [
      { short_description: 'a', impact: '1', urgency: '1' },
      { short_description: 'b' },
      { short_description: 'c' },
    ]);
    const response = await fetch(
      `${sim.url}/api/now/table/incident?sysparm_limit=2&sysparm_query=ORDERBYnumber`,
      {
        headers: {
          authorization: `Basic ${Buffer.from('integration.user:sim-password').toString('base64')}`,
        },
        ...({ dispatcher: new (await import('undici')).Agent({ connect: { ca: caPem } }) } as object),
      },
    );
    assert.equal(response.headers.get('x-total-count'), '3');
    assert.match(response.headers.get('link') ?? '', /rel="first".*rel="next".*rel="last"/);
    const body = (await response.json()) as { result: Record<string, unknown>[] };
    assert.equal(body.result[0]!.priority, '1');
    assert.equal(body.result[0]!.number, 'INC0010001');
    assert.equal(typeof body.result[0]!.sys_mod_count, 'string');
    assert.match(String(body.result[0]!.sys_updated_on), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const wrong = new ServicenowClient({
      url: sim.url,
      username: 'integration.user',
      password: 'nope',
      extraCaPem: caPem,
    });
    await assert.rejects(wrong.list('incident'), (err: VendorError) => {
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /User Not Authenticated \(Required to provide Auth information\)/);
      return true;
    });
    await assert.rejects(basic().list('no_such_table'), /HTTP 400: Invalid table no_such_table/);
  });

  it('OAuth: form-encoded password grant, one token request for concurrent calls, the same token within its lifetime, JSON rejected', async () => {
    const client = new ServicenowClient({
      url: sim.url,
      username: 'integration.user',
      password: 'sim-password',
      oauth: { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
      extraCaPem: caPem,
    });
    // Five requests at once from a cold client share one token request (each would spend the budget).
    await Promise.all(
      Array.from({ length: 5 }, () => client.create('incident', { short_description: 'via oauth' })),
    );
    assert.equal(client.requests, 6, 'one token request and five creates');
    const rows = await client.list('incident', { query: 'short_description=via oauth' });
    assert.equal(rows.records.length, 5);
    const json = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password' }),
      ...({ dispatcher: new (await import('undici')).Agent({ connect: { ca: caPem } }) } as object),
    });
    assert.equal(json.status, 400);
  });

  it('Import Set coalesces on correlation_id: inserted, then updated, then ignored', async () => {
    const client = basic();
    const row = {
      u_correlation_id: 'ext-1',
      u_source: 'x',
      u_short_description: 'Disk full',
      u_urgency: '2',
    };
    assert.equal((await client.importRow('u_imp_incident', row)).status, 'inserted');
    const updated = await client.importRow('u_imp_incident', {
      ...row,
      u_short_description: 'Disk very full',
    });
    assert.equal(updated.status, 'updated');
    assert.equal(
      (await client.importRow('u_imp_incident', { ...row, u_short_description: 'Disk very full' })).status,
      'ignored',
    );
    const rows = await access.list('incident', 'correlation_id=ext-1');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.sys_id, updated.sysId);
    assert.equal(rows[0]!.sys_mod_count, '1');
    assert.equal(
      (await client.importRow('u_imp_incident', { u_short_description: 'no key' })).status,
      'error',
    );
  });

  it('enforces a per-user rate-limit rule with X-RateLimit-* headers and 429 + Retry-After', async () => {
    await access.admin('servicenow/rate-limit', { limitPerHour: 36_000, windowSeconds: 1 });
    const client = basic();
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () => client.list('incident', { limit: 1 })),
    );
    const limited = results.filter((r) => r.status === 'rejected');
    assert.ok(limited.length >= 5, `${limited.length} of 25 were limited`);
    const err = (limited[0] as PromiseRejectedResult).reason as VendorError;
    assert.equal(err.kind, 'rate-limited');
    assert.ok(err.details.retryAfterSeconds! >= 1);
  });

  it('keyset pages see 1,000 rows sharing one sys_updated_on exactly once; a timestamp-only cursor stalls', async () => {
    const tie = '2024-05-01 10:00:00';
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      sys_id: sysIdFor(((i * 7919) % 1000) + 1),
      short_description: `tie ${i}`,
      sys_updated_on: tie,
    }));
    await access.seed('incident', [
      { sys_id: sysIdFor(5000), sys_updated_on: '2024-05-01 09:59:59' },
      ...rows,
      { sys_id: sysIdFor(9999), sys_updated_on: '2024-05-01 10:00:01' },
    ]);
    const client = basic();
    const seen: string[] = [];
    let after: KeysetCursor | undefined;
    for (;;) {
      const { records } = await client.list('incident', {
        query: keysetQuery(after, '2030-01-01 00:00:00'),
        fields: ['sys_id', 'sys_updated_on'],
        limit: 97,
      });
      for (const r of records) {
        const position = { updatedOn: r.sys_updated_on!, sysId: r.sys_id! };
        if (after) assert.ok(compareCursor(position, after) > 0, 'keyset order');
        seen.push(r.sys_id!);
        after = position;
      }
      if (records.length < 97) break;
    }
    assert.equal(seen.length, 1002);
    assert.equal(new Set(seen).size, 1002);

    // The naive sync: `>=` on the timestamp, re-read from the last timestamp, repeats and stalls.
    const naive = await client.list('incident', {
      query: `sys_updated_on>=${tie}^ORDERBYsys_updated_on`,
      fields: ['sys_id'],
      limit: 97,
    });
    const again = await client.list('incident', {
      query: `sys_updated_on>=${tie}^ORDERBYsys_updated_on`,
      fields: ['sys_id'],
      limit: 97,
    });
    assert.deepEqual(naive.records, again.records, 'a timestamp-only cursor cannot move past the tie');
  });
});
