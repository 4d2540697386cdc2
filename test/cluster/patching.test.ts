// A deploy with changed workflow code on the cluster: runs started on the old code are running when
// the new worker takes over. With patched() (the project's way, docs/deployment.md) the new worker
// replays their histories and finishes them on the old path while new runs take the new one; the
// same change without patched() is a non-determinism error on those histories (the control).
import assert from 'node:assert/strict';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { dataConverterFromEnv } from '../../src/codec/dataConverter';
import { waitFor } from '../helpers/waitFor';
import { patchingActivities } from './fixtures/patchingActivities';
import { testCluster, type TestCluster } from './sharedCluster';

const TASK_QUEUE = 'cluster-patching';
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const bundle = (file: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath: require.resolve(`./fixtures/${file}`), logger: quiet });

describe('cluster: a deploy with changed workflow code', () => {
  let t: TestCluster;
  let connection: NativeConnection;

  before(async () => {
    t = await testCluster();
    connection = await NativeConnection.connect({ address: t.cluster.server.address });
  });
  after(() => connection?.close());

  /** Runs a worker on `code` while `body` runs, then shuts it down. */
  async function withWorker<T>(code: WorkflowBundle, body: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection,
      taskQueue: TASK_QUEUE,
      workflowBundle: code,
      dataConverter: dataConverterFromEnv(t.cluster.workerEnv(0)),
      activities: patchingActivities,
    });
    return worker.runUntil(body);
  }

  it('replays the running histories with patched() and finishes them; unpatched code would not', async () => {
    const client = t.cluster.client;
    const [v1, v2, unpatched] = await Promise.all([
      bundle('patchingV1.ts'),
      bundle('patchingV2.ts'),
      bundle('patchingV2Unpatched.ts'),
    ]);
    const id = `cluster-patching-${Date.now()}`;
    // Old code: two runs get past their first step and wait for the signal.
    const running = await withWorker(v1, async () => {
      const handles = await Promise.all(
        [1, 2].map((n) =>
          client.workflow.start('patchingDemo', { taskQueue: TASK_QUEUE, workflowId: `${id}-old-${n}` }),
        ),
      );
      for (const h of handles) {
        await waitFor(`${h.workflowId} past its first step`, async () => {
          const { events } = await h.fetchHistory();
          return events?.some((e) => e.activityTaskCompletedEventAttributes) ? true : undefined;
        });
      }
      return handles;
    });

    // The control: their histories do not replay on the change made without patched().
    const history = await running[0]!.fetchHistory();
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: unpatched }, history, running[0]!.workflowId),
      DeterminismViolationError,
    );

    // The new code takes over: the old runs finish on their old path, a new run takes the new one.
    const results = await withWorker(v2, async () => {
      for (const h of running) await h.signal('proceed');
      const fresh = await client.workflow.start('patchingDemo', {
        taskQueue: TASK_QUEUE,
        workflowId: `${id}-new`,
      });
      await fresh.signal('proceed');
      return Promise.all([...running, fresh].map((h) => h.result() as Promise<string[]>));
    });
    assert.deepEqual(results, [
      ['one', 'two'],
      ['one', 'two'],
      ['audit', 'one', 'two'],
    ]);
    for (const h of running) {
      const { events } = await h.fetchHistory();
      const failedTasks = (events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
      assert.deepEqual(failedTasks, [], `${h.workflowId}: a workflow task failed on the new code`);
    }
  });
});
