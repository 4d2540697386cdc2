// The end-to-end path on a real dev server with the worker and the simulators: a Workday
// import reports a new field and starts tableauExtractRefresh the way the import will (reason
// 'upstream-drift' with the new fields; the wiring inside the import is pending until it exists).
// The first refresh fails on the schema, the workflow updates the connection, the second refresh
// succeeds, Slack and Teams show the outcome, and no secret or session token reaches the history.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { secretValues } from '../../src/config';
import { refreshInputForDrift, type TableauRefreshReport } from '../../src/domain/tableau';
import { CONNECTOR_KEY } from '../../src/schedules';
import type { TableauState } from '../../simulators/tableau/state';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, devServer } from '../helpers/temporal';
import { withDecodedPayloads } from '../helpers/history';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

describe('e2e: Workday drift report triggers a Tableau extract refresh on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let worker: Worker;
  let running: Promise<void>;

  before(async () => {
    env = await devServer();
    simulators = await startTestSimulators();
  });
  after(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await simulators?.stop();
    await env?.teardown();
  });

  it('repairs the schema error, refreshes again and announces the outcome', async () => {
    const caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const tableauSim = simulators.sims.tableau;
    // Upstream, Workday's cost_center became cost_center_hierarchy: the extract's query breaks.
    await admin(
      tableauSim.url,
      'datasources/Workday Headcount/schema-error',
      { column: 'cost_center' },
      caPem,
    );

    const config = testConfig(simulators.env, { TASK_QUEUE: 'integrations-e2e-tableau' });
    const deps = activityDepsFromConfig(config);
    worker = await createTestWorker(env, { taskQueue: config.taskQueue, activities: createActivities(deps) });
    running = worker.run();

    // What the Workday import does when its drift report lists new fields.
    const driftReport = { newFields: ['cost_center_hierarchy'] };
    const importRunId = 'workday-import-e2e';
    const handle = await env.client.workflow.start('tableauExtractRefresh', {
      taskQueue: config.taskQueue,
      workflowId: `tableauExtractRefresh-drift-${importRunId}`,
      args: [
        {
          ...refreshInputForDrift({ ...driftReport, source: 'workday' }),
          pollInitialSeconds: 1,
          pollMaxSeconds: 2,
        },
      ],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'tableau' }],
    });
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
    assert.equal(slack.length, 1);
    assert.match(slack[0]!.text, /Tableau extract refresh: 2 refreshed/);
    assert.match(slack[0]!.text, /after workday reported new fields \(cost_center_hierarchy\)/);
    assert.match(
      slack[0]!.text,
      /Workday Headcount: ✅ succeeded · job [0-9a-f-]+ · 2 attempts · connection updated/,
    );
    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as {
      attachments?: { content: string }[];
    }[];
    assert.equal(teams.length, 1);
    assert.match(teams[0]!.attachments![0]!.content, /Workday Headcount/);

    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(CONNECTOR_KEY), 'tableau');

    const serialized = historyToJSON(await handle.fetchHistory());
    const readable = withDecodedPayloads(serialized);
    const sessionTokens = [...(tableauSim.state as TableauState).sessions.keys()];
    assert.ok(sessionTokens.length > 0);
    for (const secret of [...secretValues(config), ...sessionTokens])
      assert.ok(!readable.includes(secret), 'a secret or session token leaked into history');
    assert.ok(readable.includes('cost_center_hierarchy'), 'the scan reads the decoded payloads');
    if (process.env.RECORD_HISTORIES)
      writeFileSync(join(HISTORIES, 'tableauExtractRefresh-drift.json'), serialized);
  });
});
