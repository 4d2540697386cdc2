// The schedules on the cluster: the one-shot (`cli schedules apply`, compose's `schedules` service)
// created every entry of the schedule table; the server's scheduler fires them (a backfill over a
// past window makes it fire as it would have then); and one triggered from the Temporal CLI runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { readBinaries } from '../../scripts/binaries';
import { SCHEDULES } from '../../src/schedules';
import { waitFor } from '../helpers/waitFor';
import { testCluster, type TestCluster } from './sharedCluster';

/** The run a schedule started at or after `since`, waited to its end: its final status. */
async function nextRunCompletes(client: Client, scheduleId: string, since: Date): Promise<string> {
  const action = await waitFor(
    `${scheduleId} to start a run`,
    async () =>
      (await client.schedule.getHandle(scheduleId).describe()).info.recentActions.find(
        (a) => a.takenAt.getTime() >= since.getTime() - 1000,
      ),
    120_000,
  );
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
  await handle.result();
  return (await handle.describe()).status.name;
}

describe('cluster: schedules', () => {
  let t: TestCluster;
  before(async () => {
    t = await testCluster();
  });

  it('has every schedule of the table, applied by the one-shot, each with its next runs', async () => {
    const client = t.cluster.client;
    for (const entry of SCHEDULES) {
      const d = await client.schedule.getHandle(entry.id).describe();
      assert.equal(d.action.type, 'startWorkflow');
      assert.equal(d.action.type === 'startWorkflow' && d.action.workflowType, entry.workflowType, entry.id);
      assert.equal(d.action.type === 'startWorkflow' && d.action.taskQueue, t.cluster.taskQueue, entry.id);
      assert.ok(d.info.nextActionTimes.length > 0, `${entry.id}: the scheduler has no next run`);
      assert.ok(d.info.nextActionTimes[0]!.getTime() > Date.now(), `${entry.id}: next run not in the future`);
    }
  });

  it('fires a schedule at its time: a backfill over the last day runs the readiness check', async () => {
    const client = t.cluster.client;
    const id = 'readiness-check-daily';
    const handle = client.schedule.getHandle(id);
    const end = new Date();
    await handle.backfill({ start: new Date(end.getTime() - 86_400_000), end });
    assert.equal(await nextRunCompletes(client, id, end), 'COMPLETED');
  });

  it('runs a schedule triggered from the Temporal CLI', async () => {
    const client = t.cluster.client;
    const id = 'daily-digest';
    const since = new Date();
    const cli = spawnSync(
      readBinaries().cli.path,
      [
        'schedule',
        'trigger',
        '--schedule-id',
        id,
        '--address',
        t.cluster.server.address,
        '--namespace',
        'default',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(cli.status, 0, `temporal schedule trigger: ${cli.stdout}${cli.stderr}`);
    assert.equal(await nextRunCompletes(client, id, since), 'COMPLETED');
  });
});
