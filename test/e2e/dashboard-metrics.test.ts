// The Grafana dashboard against a live worker: the worker runs as a process, serves runs that call
// vendors, read records and move a circuit breaker, and every series the dashboard queries must
// then be on its /metrics page. A panel naming a metric the worker does not export stays empty in
// production, and nothing else would notice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { breakerState, openBreaker } from '../../src/workflows/circuitBreaker';
import { seriesNames } from '../helpers/promql';
import { ServicenowSimAccess } from '../helpers/servicenow';
import { admin, startTestSimulators } from '../helpers/simulators';
import { devServer } from '../helpers/temporal';
import { waitFor } from '../helpers/waitFor';
import { freePort, startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { circuitBreaker, openIncident, readinessCheck, servicenowIncidentSync } from '../../src/workflows';

const DASHBOARD = join(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards', 'integrations.json');

interface Panel {
  title: string;
  targets?: { expr?: string }[];
}

/** Sample name → the label sets seen, from the Prometheus text format. */
function scrapeSeries(text: string): Map<string, string[]> {
  const series = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s/.exec(line);
    if (!m) continue;
    const [, name = '', labels = ''] = m;
    series.set(name, [...(series.get(name) ?? []), labels]);
  }
  return series;
}

describe('e2e: the dashboard queries only metrics the worker exports', () => {
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let worker: WorkerProcess | undefined;

  before(async () => {
    env = await devServer();
    simulators = await startTestSimulators();
  });
  after(async () => {
    await worker?.stop();
    await simulators?.stop();
    await env?.teardown();
  });

  it('finds every series of every panel on /metrics after runs that exercise vendors, records and a breaker', async () => {
    const metricsPort = await freePort();
    const taskQueue = 'dashboard-metrics-e2e';
    worker = startWorkerProcess({
      ...simulators.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      AUDIT_LOG: 'off',
    });
    // A worker that died at start (a port taken meanwhile) fails here with its output, not as a hang.
    await waitFor('the worker process to serve /metrics', async () => {
      if (worker!.child.exitCode !== null)
        throw new Error(`worker exited (${worker!.child.exitCode}): ${worker!.output().slice(-2000)}`);
      return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok ? true : undefined;
    });
    const caPem = readFileSync(simulators.sims.caFile, 'utf8');
    const sn = new ServicenowSimAccess(simulators.sims.servicenow.url, caPem);

    // Vendor calls and runs per connector (TLS probes, Slack, Teams).
    const readiness = await env.client.workflow.execute(readinessCheck, {
      taskQueue,
      workflowId: 'dashboard-readiness',
      args: [{}],
    });
    assert.equal(readiness.status, 'ok');

    // A ServiceNow write, then a sync that reads it back as a record.
    await sn.setClock('2024-06-01 12:00:00');
    const ref = await env.client.workflow.execute(openIncident, {
      taskQueue,
      workflowId: 'dashboard-open-incident',
      args: [
        { sourceSystem: 'erpnext', sourceId: 'dashboard-e2e', title: 'Dashboard check', severity: 'low' },
      ],
    });
    assert.equal(ref.outcome, 'inserted');
    await sn.setClock('2024-06-01 12:01:00');
    const sync = await env.client.workflow.execute(servicenowIncidentSync, {
      taskQueue,
      workflowId: 'dashboard-sync',
      args: [{}],
    });
    assert.ok(sync.records >= 1, `the sync read ${sync.records} records`);

    // Failures the dashboard watches: a failed vendor call that Temporal retries, a run that fails
    // (an invalid event), and a worker request the server refuses (an activity that completes after
    // its run was terminated).
    await admin(
      simulators.sims.slack.url,
      'faults',
      { status: 503, times: 1, path: '/api/chat.postMessage' },
      caPem,
    );
    await env.client.workflow.execute(readinessCheck, {
      taskQueue,
      workflowId: 'dashboard-readiness-retried',
      args: [{ connectors: ['slack'] }],
    });
    await assert.rejects(
      env.client.workflow.execute(openIncident, {
        taskQueue,
        workflowId: 'dashboard-invalid-incident',
        args: [{ sourceSystem: 'erpnext', sourceId: 'x', title: '', severity: 'low' }],
      }),
      WorkflowFailedError,
    );
    await admin(simulators.sims.servicenow.url, 'faults', { latencyMs: 3000, times: 1 }, caPem);
    const slow = await env.client.workflow.start(openIncident, {
      taskQueue,
      workflowId: 'dashboard-terminated-incident',
      args: [{ sourceSystem: 'erpnext', sourceId: 'slow', title: 'Slow', severity: 'low' }],
    });
    await waitFor('the slow import to reach ServiceNow', async () =>
      (await sn.requests()).some((r) => r.path.startsWith('/api/now/import') && r.status === undefined)
        ? true
        : undefined,
    );
    await slow.terminate('the dashboard test needs a refused activity completion');

    // A breaker that opens (the readiness check's probe may have started it already).
    const breaker = await env.client.workflow.signalWithStart(circuitBreaker, {
      taskQueue,
      workflowId: 'breaker-erpnext',
      args: [{ connector: 'erpnext' }],
      signal: openBreaker,
      signalArgs: [{ by: 'dashboard-test', reason: 'checking the gauge' }],
    });
    await waitFor('the breaker to open', async () =>
      (await breaker.query(breakerState)).state === 'open' ? true : undefined,
    );

    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const wanted = new Map<string, string>(); // series name → a panel that queries it
    for (const panel of dashboard.panels)
      for (const t of panel.targets ?? [])
        for (const name of seriesNames(t.expr ?? '')) wanted.set(name, panel.title);
    assert.ok(wanted.has('integration_records_total') && wanted.has('integration_breaker_state'));

    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    // Metrics are exported on the next scrape after they are recorded: wait until they all are.
    let missing: string[] = [];
    let series = new Map<string, string[]>();
    await waitFor(
      'every dashboard series on /metrics',
      async () => {
        series = scrapeSeries(await (await fetch(url)).text());
        missing = [...wanted.keys()].filter((name) => !series.has(name));
        return missing.length === 0 ? true : undefined;
      },
      30_000,
    ).catch(() => undefined);
    assert.deepEqual(
      missing.map((name) => `${name} (panel "${wanted.get(name)}")`),
      [],
      `series the dashboard queries but the worker does not export; worker output:\n${worker.output()}`,
    );

    // The per-connector rows select on these labels: they must carry them.
    const labelled = (name: string, ...labels: string[]) =>
      (series.get(name) ?? []).some((l) => labels.every((label) => l.includes(label)));
    assert.ok(labelled('integration_breaker_state', 'connector="erpnext"'), 'breaker gauge for erpnext');
    assert.match(
      (await (await fetch(url)).text()).split('\n').find((l) => l.startsWith('integration_breaker_state{')) ??
        '',
      / 1$/,
      'the open breaker reads 1',
    );
    assert.ok(
      labelled('integration_records_total', 'connector="servicenow"', 'outcome="processed"'),
      'records processed for servicenow',
    );
    assert.ok(
      labelled(
        'integration_vendor_call_duration_seconds_count',
        'connector="servicenow"',
        'outcome="success"',
      ),
      'vendor call outcomes for servicenow',
    );
    assert.ok(labelled('integration_runs_total', 'connector='), 'runs per connector');
    assert.equal(await worker.stop(), 0, worker.output());
    worker = undefined;
  });
});
