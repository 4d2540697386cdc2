// The Workday import's two modes on a real dev server: the nightly full export over SFTP, then an
// intraday delta over SOAP (Get_Workers) that updates one employee, hires one, moves one to the EU
// and quarantines an invalid one. One employee the US site refuses lands in the dead-letter queue. A second delta started by hand, with no `since`, continues
// where the first ended (found in Temporal's visibility). ERPNext is read through its own REST API.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import type { DeadLetterItemSummary } from '../../src/domain/deadLetter';
import { CONNECTOR_KEY } from '../../src/schedules';
import type { WorkdayEmployeeImportInput } from '../../src/workflows/workdayEmployeeImport';
import { useE2eStack } from '../helpers/e2e';
import { recordHistory } from '../helpers/history';
import { admin } from '../helpers/simulators';
import { workdayEmployeeImport } from '../../src/workflows';

describe('e2e: Workday full import over SFTP, then deltas over SOAP, on the dev server', () => {
  const stack = useE2eStack('integrations-e2e-workday');

  async function employees(url: string): Promise<Record<string, unknown>[]> {
    const { caPem } = stack();
    const params = new URLSearchParams({ fields: '["*"]', limit_page_length: '0' });
    const response = await fetch(`${url}/api/resource/Employee?${params}`, {
      headers: { authorization: 'token sim-key:sim-secret' },
      ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { data: Record<string, unknown>[] }).data;
  }

  const run = (workflowId: string, input: WorkdayEmployeeImportInput) => {
    const { env, config } = stack();
    return env.client.workflow.execute(workdayEmployeeImport, {
      taskQueue: config.taskQueue,
      workflowId,
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'workday' }],
      args: [{ refreshTableauOnDrift: false, ...input }],
    });
  };

  it('leaves ERPNext holding exactly the valid employees, per region, after a full and two deltas', async () => {
    const { simulators, caPem } = stack();
    const { erpnext, erpnextEu, workday, sftp } = simulators.sims;
    const exports = join(sftp.rootDir, 'exports');
    mkdirSync(exports, { recursive: true });
    const seeded = generateWorkdayExport({ rows: 120, seed: 21, invalidRate: 0.03 });
    writeFileSync(join(exports, 'workers_20261126.csv'), seeded.content);

    // The US site refuses one employee (its own validation): that record goes to the dead-letter queue.
    const held = seeded.validIds.us.at(-1)!;
    const rule = {
      doctype: 'Employee',
      field: 'employee_number',
      equals: held,
      message: `${held} is on legal hold`,
    };
    await admin(erpnext.url, 'validation-rules', rule, caPem);

    const full = await run('workday-e2e-full', { mode: 'full', batchSize: 50 });
    assert.equal(full.outcome, 'completed');
    assert.equal(full.valid, 120 - seeded.invalidRows.length);
    assert.equal(full.regions.us.failed, 1);
    assert.equal(full.regions.us.created, seeded.validIds.us.length - 1);
    const usBefore = await employees(erpnext.url);
    const validUs = seeded.validIds.us.filter((id) => id !== held);
    assert.deepEqual(usBefore.map((e) => e.employee_number).sort(), [...validUs].sort());
    const dlq = await stack()
      .env.client.workflow.getHandle('dlq-erpnext')
      .query<DeadLetterItemSummary[]>('items');
    assert.deepEqual(
      dlq.map((i) => [i.kind, i.key, i.source.workflowId]),
      [['erpnext-employee', held, 'workday-e2e-full']],
    );
    assert.match(dlq[0]!.error.message, /legal hold/);
    await recordHistory(
      stack().env.client.workflow.getHandle('workday-e2e-full'),
      'workdayEmployeeImport-full',
    );
    await recordHistory(stack().env.client.workflow.getHandle('dlq-erpnext'), 'deadLetterQueue-e2e');

    // Intraday changes in Workday, after the full export.
    const since = new Date(Date.now() - 1000).toISOString();
    const [promoted, mover] = seeded.validIds.us;
    const person = (id: string, fields: object) => ({
      employeeId: id,
      legalFirstName: 'Dana',
      legalLastName: 'Delta',
      email: `${id.toLowerCase()}@example.com`,
      country: 'US',
      hireDate: '2021-04-01',
      status: 'Active',
      ...fields,
    });
    await fetch(`${workday.url}/__admin/workers`, {
      method: 'DELETE',
      ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
    });
    await admin(
      workday.url,
      'workers',
      {
        workers: [
          person(promoted!, { jobTitle: 'Principal Analyst' }),
          person(mover!, { country: 'NL' }),
          person('W900001', { country: 'FR', preferredFirstName: 'Jo', preferredLastName: 'Delta' }),
          person('W900002', { email: 'not-an-email' }),
        ],
      },
      caPem,
    );

    const delta = await run('workday-e2e-delta-1', { mode: 'delta', since });
    assert.equal(delta.outcome, 'completed');
    assert.equal(delta.delta?.from, since);
    assert.ok(delta.delta!.pages >= 1);
    assert.equal(delta.read, 4);
    assert.equal(delta.invalid, 1);
    assert.deepEqual(Object.keys(delta.invalidReasons), ['Email: not a valid email address']);
    assert.equal(delta.regions.eu.movedIn, 1);
    await recordHistory(
      stack().env.client.workflow.getHandle('workday-e2e-delta-1'),
      'workdayEmployeeImport-delta',
    );

    const us = await employees(erpnext.url);
    const eu = await employees(erpnextEu.url);
    const expectedUs = validUs.filter((id) => id !== mover);
    const expectedEu = [...seeded.validIds.eu, mover!, 'W900001'];
    assert.deepEqual(us.map((e) => e.employee_number).sort(), [...expectedUs].sort(), 'US: exactly these');
    assert.deepEqual(eu.map((e) => e.employee_number).sort(), [...expectedEu].sort(), 'EU: exactly these');
    assert.equal(us.find((e) => e.employee_number === promoted)?.designation, 'Principal Analyst');
    const hire = eu.find((e) => e.employee_number === 'W900001')!;
    assert.equal(hire.custom_preferred_name, 'Jo Delta');
    assert.equal(hire.custom_country, 'FR');

    // Started by hand without `since`: continues at the first delta's end, and finds nothing new.
    const next = await run('workday-e2e-delta-2', { mode: 'delta' });
    assert.equal(next.delta?.from, delta.delta?.through);
    assert.equal(next.regions.eu.created + next.regions.us.created, 0);
  });
});
