// ERPNext's site rate limiter (a processing-time budget per window, then 429 with Retry-After) slows
// a Workday import down but loses nothing: each 429 waits for the Retry-After the site gave, and the
// import ends with exactly the valid employees. On the dev server: the window passes in real time.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { waitFor } from '../helpers/waitFor';
import { workdayEmployeeImport } from '../../src/workflows';

describe('e2e: Workday import against a rate-limited ERPNext', () => {
  const stack = useE2eStack('integrations-e2e-workday-rate-limit');

  it('waits out the 429s and ends with exactly the valid employees', async () => {
    const { env, simulators, caPem, config } = stack();
    const { erpnext, sftp } = simulators.sims;
    const exports = join(sftp.rootDir, 'exports');
    mkdirSync(exports, { recursive: true });
    const seeded = generateWorkdayExport({ rows: 300, seed: 31, invalidRate: 0 });
    writeFileSync(join(exports, 'workers_20261127.csv'), seeded.content);
    // Every ERPNext request takes 20 ms (a slow site); the budget is 100 ms of it per 2-second window.
    // An import that needs more than five requests cannot finish without meeting 429s.
    await admin(erpnext.url, 'faults', { latencyMs: 20, path: '/api/' }, caPem);
    await admin(erpnext.url, 'rate-limit', { limit: 0.1, window: 2 }, caPem);

    const report = await env.client.workflow.execute(workdayEmployeeImport, {
      taskQueue: config.taskQueue,
      workflowId: 'workday-rate-limit-e2e',
      // Should a batch meet five 429s in a row, the breaker probes again after 2 s.
      args: [{ mode: 'full', batchSize: 100, refreshTableauOnDrift: false, breakerProbeEvery: '2 seconds' }],
    });
    assert.equal(report.outcome, 'completed');
    // A batch retried after a 429 finds what its first attempt wrote: counted unchanged, not twice.
    const { created, unchanged } = report.regions.us;
    assert.equal(created + unchanged, seeded.validIds.us.length, JSON.stringify(report.regions));

    const requests = (await admin(erpnext.url, 'requests', undefined, caPem)) as { status?: number }[];
    const limited = requests.filter((r) => r.status === 429).length;
    assert.ok(limited > 0, 'the site answered 429 at least once');
    const params = new URLSearchParams({ fields: '["employee_number"]', limit_page_length: '0' });
    // The read-back meets the same limiter: read again until the site lets it through.
    const dispatcher = new Agent({ connect: { ca: caPem } });
    const stored = await waitFor('ERPNext to answer the read-back without 429', async () => {
      const response = await fetch(`${erpnext.url}/api/resource/Employee?${params}`, {
        headers: { authorization: 'token sim-key:sim-secret' },
        ...({ dispatcher } as object),
      });
      if (response.status === 429) return undefined;
      assert.equal(response.status, 200);
      return ((await response.json()) as { data: { employee_number: string }[] }).data;
    });
    assert.deepEqual(stored.map((e) => e.employee_number).sort(), [...seeded.validIds.us].sort());
  });
});
