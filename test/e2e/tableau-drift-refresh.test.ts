// The end-to-end path on a real dev server with the worker and the simulators: a Workday
// import over SFTP finds a new column in the export and starts tableauExtractRefresh (reason
// 'upstream-drift' with the new fields).
// The first refresh fails on the schema, the workflow updates the connection, the second refresh
// succeeds, Slack and Teams show the outcome, and no secret or session token reaches the history.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { secretValues } from '../../src/config';
import type { TableauRefreshReport } from '../../src/domain/tableau';
import type { WorkdayImportReport } from '../../src/workflows/workdayEmployeeImport';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import { CONNECTOR_KEY } from '../../src/schedules';
import type { TableauState } from '../../simulators/tableau/state';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { withDecodedPayloads } from '../helpers/history';
import { workdayEmployeeImport } from '../../src/workflows';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

describe('e2e: Workday drift report triggers a Tableau extract refresh on the dev server', () => {
  const stack = useE2eStack('integrations-e2e-tableau');

  it('repairs the schema error, refreshes again and announces the outcome', async () => {
    const { env, simulators, caPem, config, deps } = stack();
    const tableauSim = simulators.sims.tableau;
    // Upstream, Workday's cost_center became cost_center_hierarchy: the extract's query breaks.
    await admin(
      tableauSim.url,
      'datasources/Workday Headcount/schema-error',
      { column: 'cost_center' },
      caPem,
    );

    // Tonight's Workday export carries a new column; the import reports it and starts the refresh.
    const exports = join(simulators.sims.sftp.rootDir, 'exports');
    mkdirSync(exports, { recursive: true });
    const seeded = generateWorkdayExport({
      rows: 20,
      seed: 11,
      invalidRate: 0,
      extraColumns: ['Cost_Center_Hierarchy'],
    });
    writeFileSync(join(exports, 'workers_20261125.csv'), seeded.content);
    const imported = (await env.client.workflow.execute(workdayEmployeeImport, {
      taskQueue: config.taskQueue,
      workflowId: 'workday-import-e2e',
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'workday' }],
      args: [{ mode: 'full', tableauPolling: { pollInitialSeconds: 1, pollMaxSeconds: 2 } }],
    })) as WorkdayImportReport;
    assert.deepEqual(imported.drift.unknownColumns, ['Cost_Center_Hierarchy']);
    assert.equal(imported.tableauRefresh, 'tableau-refresh-drift-workers_20261125.csv');
    const handle = env.client.workflow.getHandle(imported.tableauRefresh);
    const report = (await handle.result()) as TableauRefreshReport;

    assert.equal(report.reason, 'upstream-drift');
    assert.equal(report.status, 'ok');
    assert.equal(report.site, 'acme');
    const head = report.datasources.find((d) => d.name === 'Workday Headcount')!;
    assert.deepEqual([head.outcome, head.attempts, head.repairedConnections], ['succeeded', 2, 1]);
    const comp = report.datasources.find((d) => d.name === 'Workday Compensation')!;
    assert.deepEqual([comp.outcome, comp.attempts], ['succeeded', 1]);
    assert.deepEqual(report.notified, { slack: 'sent', teams: 'sent' });

    // Tableau's own view: the failed job, then the successful one, for the repaired data source.
    const site = await deps.tableau!.ensureSignedIn();
    const token = [...(tableauSim.state as TableauState).sessions.keys()][0]!;
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: caPem } });
    const response = await fetch(
      `${tableauSim.url}/api/3.24/sites/${site.siteId}/jobs?filter=jobType:eq:refresh_extracts`,
      { headers: { accept: 'application/json', 'x-tableau-auth': token }, ...({ dispatcher } as object) },
    );
    const jobs = (
      (await response.json()) as { backgroundJobs: { backgroundJob: { title: string; status: string }[] } }
    ).backgroundJobs.backgroundJob;
    await dispatcher.close();
    assert.deepEqual(
      jobs.filter((j) => j.title === 'Workday Headcount').map((j) => j.status),
      ['Success', 'Failed'],
    );

    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    // Two announcements: the import's governance notice, then the refresh's outcome.
    assert.equal(slack.length, 2);
    assert.match(slack[0]!.text, /Workday export has columns outside the contract/);
    const outcome = slack[1]!.text;
    assert.match(outcome, /Tableau extract refresh: 2 refreshed/);
    assert.match(outcome, /after workday reported new fields \(Cost_Center_Hierarchy\)/);
    assert.match(
      outcome,
      /Workday Headcount: ✅ succeeded · job [0-9a-f-]+ · 2 attempts · connection updated/,
    );
    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as {
      attachments?: { content: string }[];
    }[];
    assert.equal(teams.length, 2);
    assert.ok(teams.some((m) => m.attachments![0]!.content.includes('Workday Headcount')));

    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(CONNECTOR_KEY), 'tableau');

    const serialized = historyToJSON(await handle.fetchHistory());
    const readable = withDecodedPayloads(serialized);
    const sessionTokens = [...(tableauSim.state as TableauState).sessions.keys()];
    assert.ok(sessionTokens.length > 0);
    for (const secret of [...secretValues(config), ...sessionTokens])
      assert.ok(!readable.includes(secret), 'a secret or session token leaked into history');
    assert.ok(readable.includes('Cost_Center_Hierarchy'), 'the scan reads the decoded payloads');
    if (process.env.RECORD_HISTORIES)
      writeFileSync(join(HISTORIES, 'tableauExtractRefresh-drift.json'), serialized);
  });
});
