// The Workday full import against OpenSSH's own sshd (not our simulator): the dev server runs the
// workflow, the worker reads the export over real SFTP, and the outcome is read back from the two
// ERPNext simulators' REST API as HR would see it: every valid worker once, with its fields, in the
// instance of its region; every invalid row quarantined with its reason.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import { useE2eStack } from '../helpers/e2e';
import { erpnextEmployees } from '../helpers/simulators';
import { putExport, startSshd, type Sshd } from '../helpers/sshd';
import { workdayEmployeeImport } from '../../src/workflows';

const TASK_QUEUE = 'workday-sshd-e2e';
const EU = new Set(['DE', 'FR', 'NL', 'IE', 'NO', 'ES', 'PL']);
const FIRST_ID = 300001;

type Row = Record<string, string>;

describe('e2e: Workday import over SFTP from OpenSSH sshd', () => {
  let sshd: Sshd | undefined;
  const quarantineDir = mkdtempSync(path.join(tmpdir(), 'quarantine-sshd-'));
  // Registered before the stack: the worker's configuration points WORKDAY_SFTP_* at this sshd.
  before(async () => {
    sshd = await startSshd();
  });
  const stack = useE2eStack(TASK_QUEUE, {
    env: () => ({ ...sshd!.env, WORKDAY_QUARANTINE_DIR: quarantineDir }),
  });
  // Runs after the stack's own teardown: the worker's SFTP session ends before sshd does.
  after(async () => {
    try {
      await stack().deps.workday?.sftp?.close();
    } catch {
      // the stack never started: its before hook's failure is the one to read
    }
    await sshd?.stop();
    rmSync(quarantineDir, { recursive: true, force: true });
  });

  const employees = (url: string) => erpnextEmployees<Row>(url, stack().caPem);

  it('imports the valid workers once, per region, with their fields; quarantines the invalid ones', async () => {
    const { env, simulators } = stack();
    // An older export that must not be picked, and the newest one: 5% invalid, EU and US workers.
    putExport(
      sshd!,
      'workers_20240301.csv',
      generateWorkdayExport({ rows: 5, seed: 2, firstId: 900001 }).content,
    );
    const seeded = generateWorkdayExport({ rows: 400, seed: 21, invalidRate: 0.05, firstId: FIRST_ID });
    putExport(sshd!, 'workers_20240302.csv', seeded.content);
    assert.ok(seeded.validIds.eu.length > 20 && seeded.validIds.us.length > 20, 'both regions in the file');

    const handle = await env.client.workflow.start(workdayEmployeeImport, {
      taskQueue: TASK_QUEUE,
      workflowId: 'workday-sshd-import',
      args: [{ mode: 'full', batchSize: 100, refreshTableauOnDrift: false }],
    });
    const report = await handle.result();

    assert.equal(report.outcome, 'completed');
    assert.equal(report.file, 'workers_20240302.csv');
    assert.equal(report.read, 400);
    assert.equal(report.valid, 400 - seeded.invalidRows.length);
    assert.equal(report.invalid, seeded.invalidRows.length);
    assert.equal(report.regions.eu.created, seeded.validIds.eu.length);
    assert.equal(report.regions.us.created, seeded.validIds.us.length);

    // What the ERPNext instances hold, read through their own REST API.
    const eu = await employees(simulators.sims.erpnextEu.url);
    const us = await employees(simulators.sims.erpnext.url);
    assert.deepEqual(eu.map((e) => e.employee_number).sort(), [...seeded.validIds.eu].sort());
    assert.deepEqual(us.map((e) => e.employee_number).sort(), [...seeded.validIds.us].sort());
    assert.ok(
      eu.every((e) => EU.has(e.custom_country!)),
      'only EU/EEA workers in the EU instance',
    );
    assert.ok(
      us.every((e) => !EU.has(e.custom_country!)),
      'no EU/EEA worker in the US instance',
    );

    // Field by field against the CSV itself (cells trimmed, country upper-case, dates without offset).
    const rows = parse(seeded.content, { bom: true, columns: true, skip_empty_lines: true }) as Row[];
    const byId = new Map(rows.map((r) => [r.Employee_ID!, r]));
    const orNull = (v: string | undefined) => (v?.trim() ? v.trim() : null);
    for (const e of [...eu, ...us]) {
      const row = byId.get(e.employee_number!)!;
      assert.deepEqual(
        {
          first_name: e.first_name,
          last_name: e.last_name,
          custom_preferred_name: e.custom_preferred_name ?? null,
          company_email: e.company_email,
          custom_country: e.custom_country,
          department: e.department ?? null,
          designation: e.designation ?? null,
          date_of_joining: e.date_of_joining,
          relieving_date: e.relieving_date ?? null,
          status: e.status,
          custom_cost_center: e.custom_cost_center ?? null,
        },
        {
          first_name: row.Legal_First_Name!.trim(),
          last_name: row.Legal_Last_Name!.trim(),
          custom_preferred_name: orNull(row.Preferred_Name),
          company_email: row.Email!.trim(),
          custom_country: row.Country!.trim().toUpperCase(),
          department: orNull(row.Department),
          designation: orNull(row.Job_Title),
          date_of_joining: row.Hire_Date!.trim().slice(0, 10),
          relieving_date: orNull(row.Termination_Date)?.slice(0, 10) ?? null,
          status: row.Status === 'Terminated' ? 'Left' : 'Active',
          custom_cost_center: orNull(row.Cost_Center),
        },
        `fields of ${e.employee_number}`,
      );
    }
    assert.ok(
      [...eu, ...us].some((e) => String(e.custom_preferred_name).includes('\n')),
      'a preferred name with a line break inside quotes survives',
    );

    // Invalid rows: counted by reason in the report, listed with line and reason in the quarantine.
    const reasons = Object.keys(report.invalidReasons).sort();
    assert.deepEqual(reasons, [
      'Country: not an ISO 3166 alpha-2 country code',
      'Email: not a valid email address',
      'Hire_Date: not an ISO date (YYYY-MM-DD)',
      'Legal_Last_Name: required value missing',
    ]);
    assert.equal(
      Object.values(report.invalidReasons).reduce((a, b) => a + b, 0),
      seeded.invalidRows.length,
    );
    const quarantined = report.quarantineRefs.flatMap((ref) =>
      readFileSync(ref, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { employeeId: string; line: number; field: string; reason: string }),
    );
    assert.deepEqual(
      quarantined.map((q) => q.employeeId).sort(),
      seeded.invalidRows.map((i) => `W${FIRST_ID + i}`).sort(),
    );
    assert.ok(quarantined.every((q) => q.line > 1 && q.field && q.reason));

    // It was sshd that served the file, by password, over its internal-sftp subsystem.
    assert.match(sshd!.log(), new RegExp(`Accepted password for ${sshd!.username} from 127\\.0\\.0\\.1`));
    assert.match(
      sshd!.log(),
      /Changed root directory to .*Starting session: forced-command \(config\) 'internal-sftp'/s,
    );
    // The SFTP password never enters the workflow history.
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes(sshd!.password), 'the SFTP password is in the history');
  });
});
