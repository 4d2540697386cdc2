// The ServiceNow path a user sees, on a real dev server with the worker and the simulators: an
// event opens one incident; the scheduled delta sync sees it and announces it in Slack and Teams;
// an agent moves it on in ServiceNow; the next scheduled run starts from the previous run's cursor
// (the schedule's last completion result), sees only that change and announces it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { secretValues } from '../../src/config';
import type { IncidentEvent } from '../../src/domain/servicenow';
import { applySchedules, CONNECTOR_KEY } from '../../src/schedules';
import type { IncidentSyncReport } from '../../src/workflows/servicenowIncidentSync';
import { withDecodedPayloads } from '../helpers/history';
import { ServicenowSimAccess } from '../helpers/servicenow';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { eventually, waitFor } from '../helpers/waitFor';
import { openIncident } from '../../src/workflows';

describe('e2e: ServiceNow incident and scheduled delta sync on the dev server', () => {
  const stack = useE2eStack('integrations-sn-e2e');

  it('opens one incident for an event, then announces it and its state change from scheduled syncs', async () => {
    const { env, simulators, caPem, config } = stack();
    const sn = new ServicenowSimAccess(simulators.sims.servicenow.url, caPem);
    await applySchedules(env.client, config.taskQueue, 'UTC');
    // Paused, so its own */5 firing cannot slip a run between the test's triggers (a trigger runs).
    await env.client.schedule.getHandle('servicenow-incident-sync').pause('e2e: only when triggered');

    await sn.setClock('2024-06-01 12:00:00');
    const event: IncidentEvent = {
      sourceSystem: 'erpnext',
      sourceId: 'cert-expiring-e2e',
      title: 'ERPNext certificate expires in 5 days',
      severity: 'high',
    };
    const ref = await env.client.workflow.execute(openIncident, {
      taskQueue: config.taskQueue,
      workflowId: 'open-incident-e2e',
      args: [event],
    });
    assert.equal(ref.outcome, 'inserted');
    const incidents = await sn.list('incident', `correlation_id=${ref.correlationId}`);
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.priority, '2');

    const schedule = env.client.schedule.getHandle('servicenow-incident-sync');
    await sn.setClock('2024-06-01 12:01:00');
    const first = await triggerAndWait(env, schedule, 1);
    assert.equal(first.outcome, 'ok');
    assert.equal(first.new, 1);
    assert.equal(first.notified, 1);
    assert.deepEqual(first.cursorAfter.incident, { updatedOn: '2024-06-01 12:00:00', sysId: ref.sysId });

    await sn.setClock('2024-06-01 12:02:00');
    await sn.patch('incident', ref.sysId, { state: '2' });
    await sn.setClock('2024-06-01 12:03:00');
    const second = await triggerAndWait(env, schedule, 2);
    assert.deepEqual(second.cursorBefore, first.cursorAfter, 'the second run starts where the first ended');
    assert.equal(second.records, 1);
    assert.equal(second.changed, 1);
    assert.equal(second.notified, 1);

    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    assert.equal(slack.length, 2);
    assert.match(slack[0]!.text, new RegExp(`${ref.number} \\(P2\\) opened`));
    assert.match(slack[1]!.text, new RegExp(`${ref.number} \\(P2\\) New → In Progress`));
    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as unknown[];
    assert.equal(teams.length, 2);

    const latest = (await schedule.describe()).info.recentActions.at(-1)!.action.workflow.workflowId;
    const handle = env.client.workflow.getHandle(latest);
    assert.equal((await handle.describe()).typedSearchAttributes.get(CONNECTOR_KEY), 'servicenow');
    const serialized = historyToJSON(await handle.fetchHistory());
    const readable = withDecodedPayloads(serialized);
    for (const secret of secretValues(config))
      assert.ok(!readable.includes(secret), 'a secret leaked into history');
    if (process.env.RECORD_HISTORIES) {
      writeFileSync(
        join(__dirname, '..', 'fixtures', 'histories', 'servicenowIncidentSync-e2e.json'),
        serialized,
      );
    }
  });
});

async function triggerAndWait(
  env: TestWorkflowEnvironment,
  schedule: ReturnType<TestWorkflowEnvironment['client']['schedule']['getHandle']>,
  nth: number,
): Promise<IncidentSyncReport> {
  // The schedule learns a run's result (the next run's cursor) when it sees the run close.
  await eventually(
    () => schedule.describe(),
    (d) => d.info.runningActions.length === 0,
    { what: 'the schedule to see its previous run close', timeoutMs: 30_000 },
  );
  // ALLOW_ALL (trigger's default) runs get no last completion result: trigger as the schedule would.
  await schedule.trigger(ScheduleOverlapPolicy.SKIP);
  const id = await waitFor(
    `the schedule to start run ${nth}`,
    async () => (await schedule.describe()).info.recentActions[nth - 1]?.action.workflow.workflowId,
    30_000,
  );
  return await env.client.workflow.getHandle(id).result();
}
