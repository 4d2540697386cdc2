// Every workflow type, started bare (no search attributes, no summary, as the Web UI's Start
// Workflow form does), tags itself with its Connector and says what it is for; activities and
// timers carry a summary in history.
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { createTestWorker, devServer } from '../helpers/temporal';
import { stubActivities } from '../helpers/stubActivities';
import { waitFor } from '../helpers/waitFor';
import { VALID_INPUTS } from '../workflows/validInputs';

const taskQueue = 'run-attributes';

/** The connector each workflow type tags itself with, for the inputs in VALID_INPUTS. */
const CONNECTORS: Record<string, string> = {
  readinessCheck: 'platform',
  openIncident: 'servicenow',
  servicenowIncidentSync: 'servicenow',
  tableauExtractRefresh: 'tableau',
  certificateRenewal: 'erpnext',
  circuitBreaker: 'erpnext',
  channelRecovery: 'slack',
  workdayEmployeeImport: 'workday',
  deadLetterQueue: 'erpnext',
  dailyDigest: 'platform',
  runFailureAlert: 'platform',
  slackEvent: 'slack',
  slackTokenRotation: 'slack',
  zoomTrainingAttendance: 'zoom',
  smsPage: 'twilio',
  twilioCostGuard: 'twilio',
  salesforceAccountSync: 'salesforce',
  salesforceAccountIntelligence: 'salesforce',
  salesforceSettings: 'salesforce',
  sesFeedback: 'ses',
};

const decode = (payload: { data?: Uint8Array | null } | null | undefined) =>
  payload?.data ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as string) : undefined;

describe('e2e: every run tags its connector and says what it does', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;

  before(async () => {
    env = await devServer();
    // Vendor activities stay scheduled (checkConnector, ...); alerts and probes answer at once.
    worker = await createTestWorker(env, { taskQueue, activities: stubActivities });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('covers every workflow type of the validation table', () => {
    assert.deepEqual(Object.keys(CONNECTORS).sort(), Object.keys(VALID_INPUTS).sort());
  });

  it('finds each bare-started run by Connector="<x>" and shows its current details', async () => {
    const input = (type: string) =>
      type === 'certificateRenewal'
        ? { ...VALID_INPUTS[type], expiresAt: '2070-01-01T00:00:00Z' }
        : VALID_INPUTS[type];
    for (const [type, connector] of Object.entries(CONNECTORS)) {
      const workflowId = `bare-${type}`;
      const handle = await env.client.workflow.start(type, { taskQueue, workflowId, args: [input(type)] });
      const query = `Connector="${connector}" AND WorkflowId="${workflowId}"`;
      await waitFor(`${type} listed by ${query}`, async () => {
        for await (const run of env.client.workflow.list({ query })) return run;
        return undefined;
      });
      const metadata = await waitFor(`${type} current details`, async () => {
        const m = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        return m.currentDetails ? m : undefined;
      });
      assert.ok(metadata.currentDetails!.length > 20, `${type}: ${metadata.currentDetails}`);
    }
  });

  it('puts a summary on each activity and on the renewal timer', async () => {
    const readiness = env.client.workflow.getHandle('bare-readinessCheck');
    const scheduled = await waitFor('checkConnector scheduled', async () => {
      const { events } = await readiness.fetchHistory();
      return events?.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkConnector',
      );
    });
    assert.equal(decode(scheduled.userMetadata?.summary), 'checkConnector: erpnext');

    const renewal = env.client.workflow.getHandle('bare-certificateRenewal');
    await waitFor('renewal timer', async () => {
      const { events } = await renewal.fetchHistory();
      const timer = events?.find((e) => e.timerStartedEventAttributes);
      return timer ? decode(timer.userMetadata?.summary) : undefined;
    }).then((summary) => assert.match(summary, /^wait until \d{4}-.*Z: /));
  });
});
