// tableauExtractRefresh against the Tableau, Slack and Graph simulators on the time-skipping server:
// hours of polling timers run in seconds while the simulated jobs progress in real time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Agent } from 'undici';
import { activityDepsFromConfig, createActivities, type ActivityDeps } from '../../src/activities';
import {
  refreshInputForDrift,
  type TableauExtractRefreshInput,
  type TableauRefreshReport,
} from '../../src/domain/tableau';
import type { TableauClient } from '../../src/vendors/tableau';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, endLongLivedRuns, timeSkippingServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { tableauExtractRefresh } from '../../src/workflows';

interface BackgroundJob {
  id: string;
  status: string;
  title: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
}

describe('tableauExtractRefresh workflow', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let caPem: string;
  let dispatcher: Agent;
  let deps: ActivityDeps;
  let tableau: TableauClient;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    caPem = readFileSync(simulators.sims.caFile, 'utf8');
    dispatcher = new Agent({ connect: { ca: caPem } });
  });
  after(async () => {
    await dispatcher?.close();
    await simulators?.stop();
    await env?.teardown();
  });
  beforeEach(async () => {
    const { slack, graph, tableau: sim } = simulators.sims;
    for (const s of [slack, graph, sim]) await admin(s.url, 'reset', {}, caPem);
    // A fresh worker-side client per test, as a fresh worker process would have.
    deps = activityDepsFromConfig(testConfig(simulators.env));
    tableau = deps.tableau!;
  });

  const tableauAdmin = (path: string, body?: unknown) =>
    admin(simulators.sims.tableau.url, path, body, caPem);

  /** Runs a refresh to its end; `meanwhile` runs once the workflow has started (to steer the simulator). */
  async function refresh(
    input: TableauExtractRefreshInput,
    meanwhile?: () => Promise<void>,
  ): Promise<TableauRefreshReport> {
    const taskQueue = `tableau-${++run}`;
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities(deps) });
    try {
      return await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(tableauExtractRefresh, {
          taskQueue,
          workflowId: `tableau-test-${run}`,
          args: [input],
        });
        await meanwhile?.();
        return await handle.result();
      });
    } finally {
      await endLongLivedRuns(env); // they ran on this run's task queue
    }
  }

  /** What Tableau holds: the site's refresh jobs, newest first (read through Tableau's own API). */
  async function jobsFor(name: string): Promise<BackgroundJob[]> {
    const site = await tableau.ensureSignedIn();
    const response = await fetch(
      `${simulators.sims.tableau.url}/api/3.24/sites/${site.siteId}/jobs?filter=jobType:eq:refresh_extracts`,
      {
        headers: { accept: 'application/json', 'x-tableau-auth': sessionToken() },
        ...({ dispatcher } as object),
      },
    );
    assert.equal(response.status, 200);
    const body = (await response.json()) as { backgroundJobs: { backgroundJob?: BackgroundJob[] } };
    return (body.backgroundJobs.backgroundJob ?? []).filter((j) => j.title === name);
  }
  /** The simulator's one live session (the test reads Tableau as the worker's own session would). */
  const sessionToken = () =>
    [...(simulators.sims.tableau.state as { sessions: Map<string, unknown> }).sessions.keys()][0]!;

  const slackTexts = async () =>
    ((await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as { text: string }[]).map(
      (m) => m.text,
    );
  const teamsCount = async () =>
    ((await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as unknown[]).length;

  it('refreshes the selected extracts one at a time and announces the success', async () => {
    const report = await refresh({
      reason: 'operator',
      datasources: { tags: ['workday'] },
      maxConcurrent: 1,
    });
    assert.equal(report.status, 'ok');
    assert.deepEqual(
      report.datasources.map((d) => [d.name, d.outcome, d.attempts]),
      [
        ['Workday Compensation', 'succeeded', 1],
        ['Workday Headcount', 'succeeded', 1],
      ],
    );
    assert.ok(report.datasources.every((d) => d.jobId && d.durationSeconds >= 15));
    const [comp] = await jobsFor('Workday Compensation');
    const [head] = await jobsFor('Workday Headcount');
    assert.equal(comp?.status, 'Success');
    assert.equal(head?.status, 'Success');
    assert.ok(
      head!.createdAt >= comp!.endedAt!,
      'with maxConcurrent 1 the second refresh waits for the first',
    );
    assert.deepEqual(report.notified, { slack: 'sent', teams: 'sent' });
    const [text] = await slackTexts();
    assert.match(text ?? '', /Tableau extract refresh: 2 refreshed/);
    assert.match(text ?? '', /started by an operator/);
    assert.equal(await teamsCount(), 1);
  });

  it('alerts with the failure reason and the owner, and skips live data sources', async () => {
    await tableauAdmin('datasources/Finance GL/behavior', {
      outcome: 'fail',
      failureNote: 'The embedded password for the connection to warehouse.example.internal is missing.',
    });
    const report = await refresh({ reason: 'schedule', datasources: { projects: ['Finance'] } });
    assert.equal(report.status, 'failed');
    const [gl, live] = report.datasources;
    assert.equal(gl?.outcome, 'failed');
    assert.equal(gl?.attempts, 1, 'a non-schema failure is not retried');
    assert.match(gl?.reason ?? '', /embedded password .* is missing/);
    assert.equal(gl?.owner, 'Raj Patel (raj.patel)');
    assert.equal(live?.outcome, 'skipped');
    assert.equal(report.counts.failed, 1);
    const [text] = await slackTexts();
    assert.match(text ?? '', /1 of 2 need attention/);
    assert.match(
      text ?? '',
      /Finance GL: ❌ failed · job [0-9a-f-]+ .* reason: The embedded password .* owner: Raj Patel/,
    );
  });

  it('after a schema error updates the connection and refreshes once more', async () => {
    await tableauAdmin('datasources/Workday Headcount/schema-error', { column: 'cost_center' });
    const report = await refresh(
      refreshInputForDrift({ newFields: ['cost_center_hierarchy'], source: 'workday' }),
    );
    assert.equal(report.status, 'ok');
    const head = report.datasources.find((d) => d.name === 'Workday Headcount')!;
    assert.equal(head.outcome, 'succeeded');
    assert.equal(head.attempts, 2);
    assert.equal(head.repairedConnections, 1);
    const jobs = await jobsFor('Workday Headcount');
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['Success', 'Failed'],
    );
    assert.equal(head.jobId, jobs[0]!.id);
    assert.deepEqual(report.drift, { source: 'workday', newFields: ['cost_center_hierarchy'] });
    assert.match(
      (await slackTexts())[0] ?? '',
      /after workday reported new fields \(cost_center_hierarchy\)/,
    );
  });

  it('alerts with the reason and owner when the schema error persists after the update', async () => {
    await tableauAdmin('datasources/Workday Headcount/schema-error', { column: 'cost_center', sticky: true });
    const report = await refresh(refreshInputForDrift({ newFields: ['cost_center_hierarchy'] }));
    const head = report.datasources.find((d) => d.name === 'Workday Headcount')!;
    assert.equal(head.outcome, 'failed');
    assert.equal(head.attempts, 2, 'exactly one retry');
    assert.match(
      head.reason ?? '',
      /^schema error persists after the connection update: .*Invalid column name 'cost_center'/,
    );
    assert.equal(head.owner, 'Ana Lopez (ana.lopez)');
    assert.equal((await jobsFor('Workday Headcount')).length, 2);
    // And one ServiceNow incident for it, keyed by the data source.
    assert.equal(report.incidents?.length, 1);
    assert.match(report.incidents![0]!, /^INC\d+$/);
    assert.match((await slackTexts())[0] ?? '', /Workday Headcount: ❌ failed .* owner: Ana Lopez/);
  });

  it('joins the refresh already queued (409093) instead of failing', async () => {
    // The queued job is held until the workflow has asked for its own refresh and been told 409093.
    await tableauAdmin('datasources/Finance GL/behavior', { hold: true, queueMs: 0, runMs: 100 });
    const [gl] = await tableau.listDataSources({ names: ['Finance GL'] });
    const queued = await tableau.refreshDataSource(gl!.id);
    const refreshPath = new RegExp(`/datasources/${gl!.id}/refresh$`);
    const report = await refresh(
      { reason: 'operator', datasources: { names: ['Finance GL'] }, jobTimeoutMinutes: 2000 },
      async () => {
        await waitFor('the workflow to ask for a refresh of Finance GL', async () => {
          const requests = (await tableauAdmin('requests')) as { method: string; path: string }[];
          const refreshes = requests.filter((r) => r.method === 'POST' && refreshPath.test(r.path));
          return refreshes.length >= 2 ? true : undefined;
        });
        await tableauAdmin('jobs/release', {});
      },
    );
    const [result] = report.datasources;
    assert.equal(result?.outcome, 'succeeded');
    assert.equal(result?.joinedQueuedJob, true);
    assert.equal(result?.jobId, queued?.id);
    assert.equal(result?.attempts, 1);
    assert.equal((await jobsFor('Finance GL')).length, 1, 'no duplicate job was queued');
  });

  it('times out a job that never finishes, cancels it and alerts', async () => {
    await tableauAdmin('datasources/Finance GL/behavior', { outcome: 'hang' });
    const report = await refresh({
      reason: 'schedule',
      datasources: { names: ['Finance GL'] },
      jobTimeoutMinutes: 30,
    });
    const [result] = report.datasources;
    assert.equal(result?.outcome, 'timed-out');
    assert.equal(result?.reason, 'no result within 30 minutes; the job was cancelled');
    assert.ok(result!.durationSeconds >= 30 * 60, `duration ${result!.durationSeconds}s`);
    assert.equal(result?.owner, 'Raj Patel (raj.patel)');
    assert.equal((await tableau.getJob(result!.jobId!)).finishCode, 2, 'Tableau shows the job cancelled');
    assert.match((await slackTexts())[0] ?? '', /Finance GL: ⏱️ timed-out/);
  });

  it('signs in again once when the session was lost', async () => {
    await tableau.signIn();
    await tableauAdmin('sessions/expire', {});
    const report = await refresh({ reason: 'operator', datasources: { tags: ['workday'] } });
    assert.equal(report.status, 'ok');
    assert.equal(tableau.signIns, 2);
    const sessions = (await tableauAdmin('sessions')) as { active: number; signIns: number };
    assert.deepEqual(sessions, { active: 1, signIns: 2 });
  });

  it('waits out throttling (429 with Retry-After) and still refreshes', async () => {
    await tableauAdmin('faults', { status: 429, retryAfterSeconds: 3, times: 3, path: '/api/3.24/sites' });
    const report = await refresh({ reason: 'operator', datasources: { tags: ['workday'] } });
    assert.equal(report.status, 'ok');
    assert.equal(report.counts.succeeded, 2);
    const requests = (await tableauAdmin('requests')) as { fault?: number }[];
    assert.equal(requests.filter((r) => r.fault === 429).length, 3);
  });

  it('rejects an input without a valid reason', async () => {
    await assert.rejects(
      refresh({ reason: 'because' } as unknown as TableauExtractRefreshInput),
      (err: Error) =>
        /^input\.reason: Invalid enum value\. Expected 'schedule' \| 'upstream-drift' \| 'operator'/.test(
          String((err as { cause?: Error }).cause?.message),
        ),
    );
  });
});
