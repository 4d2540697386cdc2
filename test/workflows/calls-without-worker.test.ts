// Activities that ask another workflow (a send asks the SES suppression list, a vendor call asks its
// breaker): when no worker serves that workflow's task queue, Temporal holds the query or update
// for ever (the time-skipping server, at least). The attempt must fail in bounded time (and be
// retried), not hang its worker's shutdown; a send never mails blind.
import assert from 'node:assert/strict';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { LIST_QUERY_TIMEOUT_MS, suppressedAmong } from '../../src/activities/sesFeedback';
import { SES_FEEDBACK, SES_FEEDBACK_WORKFLOW_ID } from '../../src/domain/sesFeedback';
import { devServer } from '../helpers/temporal';
import { createBreakerActivities } from '../../src/activities/breaker';
import { breakerWorkflowId } from '../../src/domain/breaker';

describe('calls to a workflow whose task queue has no worker', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await devServer();
  });
  after(() => env?.teardown());

  it('fails the send attempt within its bound, naming the list, instead of waiting for ever', async () => {
    // The list runs on a queue nobody polls (a test's finished worker; all workers down).
    await env.client.workflow.start(SES_FEEDBACK.workflowType, {
      workflowId: SES_FEEDBACK_WORKFLOW_ID,
      taskQueue: 'nobody-polls-this',
      args: [{}],
    });
    const started = Date.now();
    await assert.rejects(
      new MockActivityEnvironment().run(() => suppressedAmong(env.client, ['dana@example.com'])),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.type, 'SuppressionListUnavailable');
        assert.match(err.message, /ses-feedback/);
        return true;
      },
    );
    const waited = Date.now() - started;
    assert.ok(
      waited >= LIST_QUERY_TIMEOUT_MS - 500 && waited < LIST_QUERY_TIMEOUT_MS + 5_000,
      `${waited} ms`,
    );
  });

  it('an askBreaker attempt fails within its bound when the breaker has no worker', async () => {
    await env.client.workflow.start('circuitBreaker', {
      workflowId: breakerWorkflowId('erpnext'),
      taskQueue: 'nobody-polls-this',
      args: [{ connector: 'erpnext' }],
    });
    const { askBreaker } = createBreakerActivities({ callTimeoutMs: 2_000 });
    const started = Date.now();
    await assert.rejects(
      new MockActivityEnvironment({ taskQueue: 'nobody-polls-this' }, { client: env.client }).run(
        askBreaker,
        {
          connector: 'erpnext',
          by: 'test',
        },
      ),
    );
    const waited = Date.now() - started;
    assert.ok(waited >= 1_500 && waited < 7_000, `${waited} ms`);
  });

  it('means nothing is suppressed when there is no list yet', async () => {
    await env.client.workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID).terminate('test');
    const other = await devServer();
    try {
      const suppressed: Set<string> = await new MockActivityEnvironment().run(() =>
        suppressedAmong(other.client, ['dana@example.com']),
      );
      assert.deepEqual([...suppressed], []);
    } finally {
      await other.teardown();
    }
  });
});
