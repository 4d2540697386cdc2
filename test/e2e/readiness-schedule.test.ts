// The whole path a user sees: a real dev server, the worker, the simulators; the schedule table is
// applied and triggered, the run completes, Slack and Teams hold the summary, the run carries its
// Connector search attribute, and its history holds no secret. The history is saved for replay.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { secretValues } from '../../src/config';
import { applySchedules, CONNECTOR_KEY, SCHEDULES } from '../../src/schedules';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { waitFor } from '../helpers/waitFor';
import { withDecodedPayloads } from '../helpers/history';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

describe('e2e: scheduled readiness check on the dev server', () => {
  const stack = useE2eStack('integrations-e2e');

  it('applies the schedules, runs the readiness check on trigger and announces it', async () => {
    const { env, simulators, caPem, config } = stack();
    // Canary secrets: they must reach the simulators but never the workflow history.

    const applied = await applySchedules(env.client, config.taskQueue, 'UTC');
    assert.deepEqual(
      applied.map((a) => a.outcome),
      SCHEDULES.map(() => 'created'),
    );
    assert.deepEqual(
      (await applySchedules(env.client, config.taskQueue, 'UTC')).map((a) => a.outcome),
      SCHEDULES.map(() => 'updated'),
    );

    const schedule = env.client.schedule.getHandle('readiness-check-daily');
    await schedule.trigger();
    const workflowId = await waitForRun(env, schedule);
    const handle = env.client.workflow.getHandle(workflowId);
    const report = await handle.result();
    assert.equal(report.status, 'ok');
    assert.deepEqual(report.notified, { slack: 'sent', teams: 'sent' });

    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(CONNECTOR_KEY), 'platform');

    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    assert.equal(slack.length, 1);
    assert.match(slack[0]!.text, /Readiness check: OK/);
    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as unknown[];
    assert.equal(teams.length, 1);

    const history = await handle.fetchHistory();
    const serialized = historyToJSON(history);
    const readable = withDecodedPayloads(serialized);
    assert.match(readable, /Readiness check: OK/, 'the scan reads decoded payloads');
    for (const secret of secretValues(config))
      assert.ok(!readable.includes(secret), 'a secret leaked into history');
    if (process.env.RECORD_HISTORIES)
      writeFileSync(join(HISTORIES, 'readinessCheck-scheduled.json'), serialized);
  });
});

async function waitForRun(
  env: TestWorkflowEnvironment,
  schedule: ReturnType<TestWorkflowEnvironment['client']['schedule']['getHandle']>,
): Promise<string> {
  return waitFor(
    'the schedule to start a run',
    async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
    20_000,
  );
}
