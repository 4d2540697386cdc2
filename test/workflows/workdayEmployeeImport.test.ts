// workdayEmployeeImport on the time-skipping server against the SFTP simulator and two ERPNext
// simulators (EU and US): outcomes are read back through ERPNext's own REST API.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Agent } from 'undici';
import { createActivities, activityDepsFromConfig } from '../../src/activities';
import type { WorkdayEmployeeImportInput } from '../../src/workflows/workdayEmployeeImport';
import {
  driftDecisionSignal,
  driftDecisionUpdate,
  importProgressQuery,
} from '../../src/workflows/workdayEmployeeImport';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, endLongLivedRuns, timeSkippingServer } from '../helpers/temporal';
import { workdayEmployeeImport } from '../../src/workflows';
import { deadLetterItems } from '../../src/workflows/deadLetterQueue';

describe('workdayEmployeeImport workflow', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let dispatcher: Agent;
  let quarantineDir: string;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    dispatcher = new Agent({ connect: { ca: caPem } });
    quarantineDir = mkdtempSync(path.join(tmpdir(), 'quarantine-'));
  });
  after(async () => {
    await dispatcher?.close();
    await simulators?.stop();
    await env?.teardown();
    rmSync(quarantineDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    const { slack, graph, erpnext, erpnextEu, sftp } = simulators.sims;
    for (const s of [slack, graph, erpnext, erpnextEu]) await admin(s.url, 'reset', {}, caPem);
    rmSync(path.join(sftp.rootDir, 'exports'), { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(sftp.rootDir, 'exports'), { recursive: true });
  });

  const putExport = (name: string, content: Buffer) =>
    writeFileSync(path.join(simulators.sims.sftp.rootDir, 'exports', name), content);

  async function employees(url: string): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams({ fields: '["*"]', limit_page_length: '0' });
    const response = await fetch(`${url}/api/resource/Employee?${params}`, {
      headers: { authorization: 'token sim-key:sim-secret' },
      ...({ dispatcher } as object),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { data: Record<string, unknown>[] }).data;
  }

  async function slackMessages(): Promise<string> {
    return JSON.stringify(await admin(simulators.sims.slack.url, 'requests', undefined, caPem));
  }

  async function start(
    input: WorkdayEmployeeImportInput,
    during?: (handle: WorkflowHandle) => Promise<void>,
    settings: Record<string, string> = {},
  ) {
    const taskQueue = `workday-${++run}`;
    const deps = activityDepsFromConfig(
      testConfig(simulators.env, { WORKDAY_QUARANTINE_DIR: quarantineDir, ...settings }),
    );
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities(deps) });
    try {
      return await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(workdayEmployeeImport, {
          taskQueue,
          workflowId: `workday-import-test-${run}`,
          // The Tableau refresh a drift starts is covered by the dev-server e2e test; here it would
          // race through its polling timers on the time-skipping server.
          args: [{ refreshTableauOnDrift: false, ...input }],
        });
        if (during) await during(handle);
        return await handle.result();
      });
    } finally {
      await endLongLivedRuns(env); // they ran on this run's task queue
      await deps.workday?.sftp?.close();
    }
  }

  it('imports the newest export in batches, per region, quarantining invalid rows; a rerun changes nothing', async () => {
    putExport('workers_20240101.csv', generateWorkdayExport({ rows: 5, seed: 1, firstId: 900001 }).content);
    const seeded = generateWorkdayExport({ rows: 230, seed: 7, invalidRate: 0.02 });
    putExport('workers_20240102.csv', seeded.content);

    const report = await start({ mode: 'full', batchSize: 50 });
    assert.equal(report.outcome, 'completed');
    assert.equal(report.file, 'workers_20240102.csv');
    assert.equal(report.read, 230);
    assert.equal(report.invalid, seeded.invalidRows.length);
    assert.equal(report.valid, 230 - seeded.invalidRows.length);
    assert.equal(report.batches, 5);
    assert.equal(report.regions.eu.created, seeded.validIds.eu.length);
    assert.equal(report.regions.us.created, seeded.validIds.us.length);

    const eu = await employees(simulators.sims.erpnextEu.url);
    const us = await employees(simulators.sims.erpnext.url);
    assert.deepEqual(eu.map((e) => e.employee_number).sort(), [...seeded.validIds.eu].sort());
    assert.deepEqual(us.map((e) => e.employee_number).sort(), [...seeded.validIds.us].sort());
    const EU = new Set(['DE', 'FR', 'NL', 'IE', 'NO', 'ES', 'PL']);
    assert.ok(
      us.every((e) => !EU.has(String(e.custom_country))),
      'no EU employee in the US region',
    );
    assert.ok(eu.every((e) => EU.has(String(e.custom_country))));
    // Quoted commas and line breaks survive; padded cells are trimmed.
    assert.ok(us.concat(eu).some((e) => e.last_name === 'Smith, Jr.'));
    assert.ok(us.concat(eu).every((e) => !String(e.custom_cost_center).startsWith(' ')));

    // Quarantine by reference: line numbers point at the physical lines of the file.
    assert.ok(report.quarantineRefs.length > 0);
    const entries = report.quarantineRefs.flatMap((ref) =>
      readFileSync(ref, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; field: string }),
    );
    const text = seeded.content.toString('utf8').replace(/^\uFEFF/, '');
    const physical = text.split('\n'); // physical lines: a quoted LF starts one too
    for (const entry of entries) {
      const id = (entry as { employeeId?: string }).employeeId!;
      assert.ok(physical[entry.line - 1]!.startsWith(`${id},`), `line ${entry.line} holds ${id}`);
    }
    assert.ok(!JSON.stringify(report).includes('@example.com'), 'no personal data in the report');

    const again = await start({ mode: 'full', batchSize: 100 });
    assert.equal(again.regions.eu.unchanged + again.regions.us.unchanged, again.valid);
    assert.equal(again.regions.eu.created + again.regions.us.created, 0);
    assert.equal((await employees(simulators.sims.erpnext.url)).length, us.length, 'no duplicates');
  });

  it('reports unknown columns to the channel and imports the rest', async () => {
    putExport(
      'workers_20240103.csv',
      generateWorkdayExport({ rows: 20, seed: 3, invalidRate: 0, extraColumns: ['Badge_Color'] }).content,
    );
    const report = await start({ mode: 'full' });
    assert.equal(report.outcome, 'completed');
    assert.deepEqual(report.drift.unknownColumns, ['Badge_Color']);
    assert.equal(report.valid, 20);
    assert.match(await slackMessages(), /chat\.postMessage/);
  });

  it('stops on a missing required column and waits (the alert has Proceed/Abort buttons): abort ends it, timeout ends it', async () => {
    putExport(
      'workers_20240104.csv',
      generateWorkdayExport({ rows: 10, seed: 4, dropColumns: ['Email'] }).content,
    );
    const aborted = await start({ mode: 'full' }, async (handle) => {
      await env.sleep('1 hour');
      const progress = await handle.query(importProgressQuery);
      assert.deepEqual(progress.drift.missingRequired, ['Email']);
      // As the Abort button sends it: an update, answered by the workflow.
      const answer = await handle.executeUpdate(driftDecisionUpdate, {
        args: [{ who: 'hr.lead', action: 'abort' }],
      });
      assert.deepEqual(answer, { accepted: true, detail: 'the import will abort' });
    });
    assert.equal(aborted.outcome, 'aborted');
    assert.equal(aborted.drift.decision?.who, 'hr.lead');
    // The alert that asks carries the one-click answers (Slack buttons).
    const messages = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
      blocks?: { type: string; elements?: { action_id: string }[] }[];
    }[];
    const gate = messages.filter((m) => m.text.includes('required columns missing')).at(-1);
    const buttons = gate?.blocks?.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id);
    assert.deepEqual(buttons, ['workday.driftProceed', 'workday.driftAbort']);
    assert.equal((await employees(simulators.sims.erpnext.url)).length, 0);

    const timedOut = await start({ mode: 'full', driftDecisionTimeout: '2 hours' });
    assert.equal(timedOut.outcome, 'drift-timeout');
  });

  it('proceeds with a mapping decision on the same file', async () => {
    const seeded = generateWorkdayExport({
      rows: 12,
      seed: 5,
      invalidRate: 0,
      dropColumns: ['Email'],
      extraColumns: ['Work_Email'],
    });
    // The renamed column carries the addresses.
    const text = seeded.content
      .toString('utf8')
      .replace(/,(red|blue|)\r\n/g, (_m, _c, offset: number) => `,w${offset}@example.com\r\n`);
    putExport('workers_20240105.csv', Buffer.from(text));
    const report = await start({ mode: 'full' }, async (handle) => {
      await env.sleep('10 minutes');
      await handle.signal(driftDecisionSignal, {
        who: 'hr.lead',
        action: 'proceed',
        mapping: { Email: 'Work_Email' },
      });
    });
    assert.equal(report.outcome, 'completed');
    assert.deepEqual(report.drift.missingRequired, []);
    assert.equal(report.valid, 12);
    const all = [
      ...(await employees(simulators.sims.erpnext.url)),
      ...(await employees(simulators.sims.erpnextEu.url)),
    ];
    assert.equal(all.length, 12);
    assert.ok(all.every((e) => /^w\d+@example\.com$/.test(String(e.company_email))));
  });

  it('quarantines an id repeated in a later batch; the first row wins', async () => {
    const seeded = generateWorkdayExport({ rows: 60, seed: 11, invalidRate: 0 });
    const lines = seeded.content.toString('utf8').split('\r\n');
    const firstRow = lines[1]!;
    const repeatedId = firstRow.split(',')[0]!;
    // The same worker again at the end of the file with another first name: a different batch.
    const repeat = firstRow.replace(/^([^,]*),[^,]*,/, `$1,Impostor,`);
    putExport(
      'workers_20240106.csv',
      Buffer.from(`${lines.join('\r\n').replace(/\r\n$/, '')}\r\n${repeat}\r\n`),
    );

    const report = await start({ mode: 'full', batchSize: 25 });
    assert.equal(report.outcome, 'completed');
    assert.equal(report.read, 61);
    assert.equal(report.rows, 61, 'the scan counted the rows for progress');
    assert.equal(report.invalid, 1);
    assert.deepEqual(report.invalidReasons, { 'Employee_ID: duplicate in file': 1 });
    const all = [
      ...(await employees(simulators.sims.erpnext.url)),
      ...(await employees(simulators.sims.erpnextEu.url)),
    ];
    assert.equal(all.length, 60);
    const kept = all.find((e) => e.employee_number === repeatedId)!;
    assert.notEqual(kept.first_name, 'Impostor');
  });

  it('moves an employee whose country changed to the other region, and only there', async () => {
    const seeded = generateWorkdayExport({ rows: 30, seed: 12, invalidRate: 0 });
    putExport('workers_20240107.csv', seeded.content);
    await start({ mode: 'full' });
    const text = seeded.content.toString('utf8');
    const mover = seeded.validIds.us.find(
      (id) => !/"/.test(text.slice(text.indexOf(`\r\n${id},`) + 2).split('\r\n')[0]!),
    )!;
    const rowStart = text.indexOf(`\r\n${mover},`) + 2;
    const rowEnd = text.indexOf('\r\n', rowStart);
    const header = text
      .slice(0, text.indexOf('\r\n'))
      .replace(/^\uFEFF/, '')
      .split(',');
    const cells = text.slice(rowStart, rowEnd).split(',');
    assert.equal(cells.length, header.length, 'the mover row has no quoted commas');
    cells[header.indexOf('Country')] = 'DE';
    putExport(
      'workers_20240108.csv',
      Buffer.from(text.slice(0, rowStart) + cells.join(',') + text.slice(rowEnd)),
    );

    const report = await start({ mode: 'full' });
    assert.equal(report.regions.eu.created, 1);
    assert.equal(report.regions.eu.movedIn, 1);
    assert.equal(report.regions.us.unchanged, seeded.validIds.us.length - 1);
    const us = await employees(simulators.sims.erpnext.url);
    const eu = await employees(simulators.sims.erpnextEu.url);
    assert.ok(!us.some((e) => e.employee_number === mover), 'gone from the US region');
    assert.equal(eu.filter((e) => e.employee_number === mover).length, 1);
  });

  it('a US outage opens breaker-erpnext after N failed batches; EU is written meanwhile, US employees wait in its dead-letter queue', async () => {
    const seeded = generateWorkdayExport({ rows: 40, seed: 13, invalidRate: 0 });
    putExport('workers_20240109.csv', seeded.content);
    // Two batch attempts of five tries each fail (BREAKER_FAILURES=2): the breaker opens.
    await admin(simulators.sims.erpnext.url, 'faults', { status: 503, path: '/api/', times: 10 }, caPem);
    // Read while the worker runs: queries need it.
    let dlq: Awaited<ReturnType<typeof queryDlq>> = [];
    const queryDlq = () => env.client.workflow.getHandle('dlq-erpnext').query(deadLetterItems);
    const report = await start(
      { mode: 'full' },
      async (handle) => {
        await handle.result();
        dlq = await queryDlq();
      },
      { BREAKER_FAILURES: '2' },
    );
    assert.equal(report.outcome, 'completed');
    assert.equal(report.breakerOpenings, 1);
    assert.equal(report.valid, 40);
    const eu = await employees(simulators.sims.erpnextEu.url);
    assert.deepEqual(eu.map((e) => e.employee_number).sort(), [...seeded.validIds.eu].sort());
    assert.deepEqual(await employees(simulators.sims.erpnext.url), [], 'nothing sent to the US while open');
    assert.equal(report.regions.us.failed, seeded.validIds.us.length);
    assert.deepEqual(dlq.map((i) => i.key).sort(), [...seeded.validIds.us].sort());
    assert.ok(dlq.every((i) => i.error.type === 'BreakerOpen'));
    // What each breaker was told (from its history: its worker is gone): two US failures, no EU one.
    const outcomes = async (connector: string) =>
      (await env.client.workflow.getHandle(`breaker-${connector}`).fetchHistory()).events!.flatMap(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [],
      );
    assert.deepEqual(await outcomes('erpnext'), ['outcome', 'outcome']);
    assert.deepEqual(await outcomes('erpnext-eu'), [], 'the EU breaker is its own');
    const slack = JSON.stringify(await admin(simulators.sims.slack.url, 'messages', undefined, caPem));
    assert.match(slack, /erpnext circuit breaker open/);
    assert.doesNotMatch(slack, /erpnext-eu circuit breaker/);
  });
  it('runs two batches at once and ends with the same employees as one at a time', async () => {
    // A server of its own: breakers an earlier test started live on that test's task queue, whose
    // worker is gone, and hold the shared test server's clock (temporalio/sdk-java#1138).
    const shared = env;
    env = await timeSkippingServer();
    try {
      await importInTwoLanes();
    } finally {
      await env.teardown();
      env = shared;
    }
  });

  async function importInTwoLanes() {
    const seeded = generateWorkdayExport({ rows: 40, seed: 17, invalidRate: 0 });
    putExport('workers_20240110.csv', seeded.content);
    const report = await start({ mode: 'full', batchSize: 10, batchLanes: 2 });
    assert.equal(report.outcome, 'completed');
    assert.equal(report.batches, 4);
    assert.equal(report.valid, 40);
    for (const [url, ids] of [
      [simulators.sims.erpnext.url, seeded.validIds.us],
      [simulators.sims.erpnextEu.url, seeded.validIds.eu],
    ] as const) {
      const held = (await employees(url)).map((e) => e.employee_number);
      assert.deepEqual(held.sort(), [...ids].sort());
    }
    // The second batch was scheduled before the first completed: they ran side by side.
    const history = await env.client.workflow.getHandle(`workday-import-test-${run}`).fetchHistory();
    const batchIds = new Set<string>();
    const batchEvents = history.events!.flatMap((e) => {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'workdayImportBatch') {
        batchIds.add(String(e.eventId));
        return ['scheduled'];
      }
      const completed = e.activityTaskCompletedEventAttributes?.scheduledEventId;
      return completed && batchIds.has(String(completed)) ? ['completed'] : [];
    });
    assert.deepEqual(batchEvents.slice(0, 2), ['scheduled', 'scheduled']);
  }
});
