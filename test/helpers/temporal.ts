// Real Temporal servers for the tests, from the binaries scripts/setup.js installed. A missing
// binary fails the test with the command that fixes it; nothing is downloaded and nothing skips.
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { createWorkerGroup, type WorkerGroup } from '../../src/workerGroup';
import { readBinaries } from '../../scripts/binaries';
import { CONNECTOR_KEY } from '../../src/schedules';
import { GATED_CONNECTORS, breakerWorkflowId } from '../../src/domain/breaker';
import { SES_FEEDBACK_WORKFLOW_ID } from '../../src/domain/sesFeedback';
import { auditWorkerOptions } from '../../src/auditWorker';
import { workflowBundleOptions } from '../../src/workflowBundle';
import { devServerPartitionArgs } from '../../src/domain/vendorQueues';

/** The time-skipping server, with the Connector search attribute every workflow sets registered. */
export async function timeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const { testServer } = readBinaries();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer.path } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: {
      [CONNECTOR_KEY.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    },
  });
  return env;
}

/** The dev server; its client uses `dataConverter` (the payload codec) when given. */
export function devServer(
  options: { dataConverter?: DataConverter; ui?: { port: number; codecEndpoint?: string } } = {},
): Promise<TestWorkflowEnvironment> {
  const { cli } = readBinaries();
  const { ui } = options;
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: options.dataConverter },
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: [CONNECTOR_KEY],
      ...(ui ? { ui: true, uiPort: ui.port } : {}),
      extraArgs: [
        '--log-level',
        'error',
        ...devServerPartitionArgs(),
        ...(ui?.codecEndpoint ? ['--ui-codec-endpoint', ui.codecEndpoint] : []),
      ],
    },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The product's workflows with their interceptors, bundled once per test process (not per worker). */
export function productWorkflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    ...workflowBundleOptions(),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return bundle;
}

/** The product's workers (the main one and one per vendor queue) on `taskQueue`, without budgets. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Pick<WorkerOptions, 'activities' | 'taskQueue' | 'dataConverter'>,
): Promise<WorkerGroup> {
  return createWorkerGroup({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await productWorkflowBundle(),
    ...auditWorkerOptions(true),
    ...options,
  });
}

/**
 * Ends the long-lived runs a test's runs started (the breakers, the SES suppression list): they
 * run on that test's task queue, and a later test's update or query to one whose worker is gone
 * would wait for a worker that never comes.
 */
export async function endLongLivedRuns(env: TestWorkflowEnvironment): Promise<void> {
  for (const id of [...GATED_CONNECTORS.map(breakerWorkflowId), SES_FEEDBACK_WORKFLOW_ID])
    await env.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined); // never started, or already ended
}
