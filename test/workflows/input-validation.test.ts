// Every workflow type refuses bad input at once, and every signal and update refuses bad arguments,
// on the dev server with one worker for the whole table (a time-skipping clock would jump while
// runs queue for the worker and time them out). A refused input is a closed run
// failed with a non-retryable InvalidInput within seconds, with no workflow task failure (no
// retry loop); a refused signal leaves the run running and unchanged; a refused update is answered
// with a non-retryable failure and no stack trace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import { renewalActionArgs } from '../../src/domain/inputs/certificateRenewal';
import { addDeadLettersArgs, redriveArgs } from '../../src/domain/inputs/deadLetterQueue';
import { breakerTransitionArgs, missedAlertArgs } from '../../src/domain/inputs/platform';
import { driftDecisionArgs } from '../../src/domain/inputs/workdayEmployeeImport';
import type { RenewalStatus } from '../../src/workflows/certificateRenewal/state';
import { createTestWorker, devServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { VALID_INPUTS } from './validInputs';
import { stubActivities as stubs } from '../helpers/stubActivities';

const MB = 'x'.repeat(1_000_000);
const taskQueue = 'input-validation';

/** A value of another type than `value`. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return false; // not 123: a number is a valid duration
  if (typeof value === 'number') return 'x';
  if (typeof value === 'boolean') return 'yes';
  return 'x';
}

/** No input, null, [], "x", each field of the wrong type, and a 1 MB string. */
function badValues(valid: Record<string, unknown>): { label: string; args: unknown[] }[] {
  const fields = Object.entries(valid);
  const text = fields.find(([, v]) => typeof v === 'string') ?? fields[0]!;
  return [
    { label: 'no input', args: [] },
    { label: 'null', args: [null] },
    { label: '[]', args: [[]] },
    { label: '"x"', args: ['x'] },
    ...fields.map(([key, value]) => ({
      label: `${key} of the wrong type`,
      args: [{ ...valid, [key]: wrongType(value) }],
    })),
    { label: `1 MB ${text[0]}`, args: [{ ...valid, [text[0]]: MB }] },
  ];
}

function registeredWorkflowTypes(): string[] {
  const index = readFileSync(require.resolve('../../src/workflows/index.ts'), 'utf8');
  return [...index.matchAll(/export \{ (\w+) \}/g)].map((m) => m[1]!).sort();
}

describe('input validation of every workflow, signal and update', function () {
  this.timeout(300_000);
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let seq = 0;

  before(async () => {
    env = await devServer();
    worker = await createTestWorker(env, { taskQueue, activities: stubs });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  /** A workflow task failing again and again shows as its attempt count (histories with 1 MB signals outgrow a fetch). */
  async function workflowTaskRetrying(workflowId: string): Promise<number> {
    const { raw } = await env.client.workflow.getHandle(workflowId).describe();
    return raw.pendingWorkflowTask?.attempt ?? 0;
  }

  /** Messages of the run's workflow task failures (none expected). */
  async function workflowTaskFailures(workflowId: string): Promise<string[]> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .filter((e) => e.workflowTaskFailedEventAttributes)
      .map((e) => `${workflowId}: ${e.workflowTaskFailedEventAttributes!.failure?.message?.slice(0, 300)}`);
  }

  it('the table covers every registered workflow type', () => {
    assert.deepEqual(Object.keys(VALID_INPUTS).sort(), registeredWorkflowTypes());
  });

  it('every workflow type fails bad input at once with a non-retryable InvalidInput', async () => {
    const cases = Object.entries(VALID_INPUTS).flatMap(([type, valid]) =>
      badValues(valid).map((c) => ({ type, ...c })),
    );
    const problems: string[] = [];
    const slowest = { ms: 0, label: '' };
    const runOne = async ({ type, label, args }: (typeof cases)[number]) => {
      const workflowId = `bad-input-${++seq}`;
      const started = Date.now();
      const handle = await env.client.workflow.start(type, { taskQueue, workflowId, args });
      const err = await Promise.race([
        handle.result().then(
          () => undefined,
          (e: unknown) => e,
        ),
        new Promise((resolve) => setTimeout(() => resolve('no result within 15 s'), 15_000)),
      ]);
      const ms = Date.now() - started;
      if (ms > slowest.ms) Object.assign(slowest, { ms, label: `${type} ${label}` });
      const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure) || cause.type !== 'InvalidInput' || !cause.nonRetryable)
        problems.push(`${type} with ${label}: ${String(err ?? 'completed')}`);
      else if (!/A valid input: \{/.test(cause.message) || cause.message.length > 1_000)
        problems.push(`${type} with ${label}: message ${cause.message.slice(0, 300)}`);
      if (ms > 5_000) problems.push(`${type} with ${label}: took ${ms} ms`);
      problems.push(...(await workflowTaskFailures(workflowId)));
    };
    for (let i = 0; i < cases.length; i += 8) await Promise.all(cases.slice(i, i + 8).map(runOne));
    assert.deepEqual(problems, []);
    assert.ok(cases.length >= 80, `${cases.length} bad inputs`);
    console.log(`      ${cases.length} bad inputs refused; slowest ${slowest.ms} ms (${slowest.label})`);
  });

  it('names the field and shows an example, without a stack trace', async () => {
    // Started by name: the input is wrong on purpose, which a typed start would not allow.
    const handle = await env.client.workflow.start('readinessCheck', {
      taskQueue,
      workflowId: `bad-input-${++seq}`,
      args: [{ connectors: 'erpnext' }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(
      err.cause!.message,
      /^input\.connectors: Expected array, received string\. A valid input: \{"connectors":\["erpnext"\],"certWarnDays":30\}$/,
    );
    const history = await handle.fetchHistory();
    const failed = history.events!.find((e) => e.workflowExecutionFailedEventAttributes);
    assert.equal(failed?.workflowExecutionFailedEventAttributes?.failure?.stackTrace ?? '', '');
  });

  describe('signals and updates', () => {
    const ids = {
      renewal: 'bad-args-renewal',
      queue: 'bad-args-dlq',
      breaker: 'bad-args-breaker',
      recovery: 'bad-args-recovery',
      importRun: 'bad-args-import',
    };
    // Far ahead: no ladder step is due, whatever time the server skipped to.
    const farAhead = '2070-01-01T00:00:00Z';

    before(async () => {
      const start = (type: string, workflowId: string, input: object) =>
        env.client.workflow.start(type, { taskQueue, workflowId, args: [input] });
      await start('certificateRenewal', ids.renewal, { host: 'erp.example.com', expiresAt: farAhead });
      await start('deadLetterQueue', ids.queue, { connector: 'erpnext' });
      await start('circuitBreaker', ids.breaker, { connector: 'erpnext' });
      await start('channelRecovery', ids.recovery, { channel: 'slack' });
      await start('workdayEmployeeImport', ids.importRun, { mode: 'full', refreshTableauOnDrift: false });
    });

    const row = (workflowId: string, signal: string, valid: unknown) => ({
      workflowId,
      signal,
      valid: valid as Record<string, unknown>,
    });
    const signalTable = [
      ...Object.entries(renewalActionArgs).map(([signal, spec]) => row(ids.renewal, signal, spec.example)),
      row(ids.queue, 'redrive', { ids: ['erpnext-employee:E1'], filter: { errorType: 'X' } }),
      row(ids.breaker, 'open', breakerTransitionArgs.example),
      row(ids.breaker, 'close', breakerTransitionArgs.example),
      row(ids.recovery, 'missed', missedAlertArgs.example),
      row(ids.importRun, 'driftDecision', driftDecisionArgs.example),
    ];

    it('drops every bad signal argument and unknown signal names: runs go on unchanged', async () => {
      const addExample = (addDeadLettersArgs.example as Record<string, unknown>[])[0]!;
      const sends = [
        ...signalTable.flatMap(({ workflowId, signal, valid }) =>
          badValues(valid).map((c) => ({ workflowId, signal, args: c.args })),
        ),
        ...badValues(addExample).map((c) => ({
          workflowId: ids.queue,
          signal: 'add',
          args:
            c.args.length && typeof c.args[0] === 'object' && !Array.isArray(c.args[0])
              ? [[c.args[0]]]
              : c.args,
        })),
        ...Object.values(ids).map((workflowId) => ({ workflowId, signal: 'noSuchSignal', args: [{}] })),
      ];
      // Enough refusals to overflow the renewal's action log; the last one marks the end.
      for (let i = 0; i < 200; i++)
        sends.push({ workflowId: ids.renewal, signal: 'acknowledge', args: [{ who: 'ana', note: i }] });
      sends.push({ workflowId: ids.renewal, signal: 'acknowledge', args: [{ who: 'marker', note: 0 }] });
      for (const { workflowId, signal, args } of sends)
        await env.client.workflow.getHandle(workflowId).signal(signal, ...(args as [unknown]));

      const renewal = env.client.workflow.getHandle(ids.renewal);
      const status = await lastActionBy(() => renewal.query<RenewalStatus>('status'), 'marker');
      assert.equal(status.level, 0);
      assert.equal(status.stage, 'awaiting-cab');
      assert.ok(status.actions.length <= 200, `${status.actions.length} actions kept`);
      assert.ok(status.olderActions > 0, 'older actions are counted, not kept');
      assert.ok(JSON.stringify(status).length < 100_000, 'the status reply stays small');
      assert.ok(status.actions.every((a) => a.who.length <= 200));
      const summary = await env.client.workflow.getHandle(ids.queue).query<{ count: number }>('summary');
      assert.equal(summary.count, 0, JSON.stringify(summary));
      const breaker = await env.client.workflow.getHandle(ids.breaker).query<{ state: string }>('state');
      assert.equal(breaker.state, 'closed');
      const progress = await env.client.workflow
        .getHandle(ids.importRun)
        .query<{ drift: { decision?: unknown } }>('progress');
      assert.equal(progress.drift.decision, undefined);
      for (const workflowId of Object.values(ids)) {
        const description = await env.client.workflow.getHandle(workflowId).describe();
        assert.equal(description.status.name, 'RUNNING', workflowId);
        assert.ok((await workflowTaskRetrying(workflowId)) <= 1, `${workflowId} retries its workflow task`);
      }
      console.log(`      ${sends.length} bad signals dropped`);
    });

    it('refuses every bad update argument at once, non-retryable, without a stack trace', async () => {
      const updates = [
        ...Object.entries(renewalActionArgs).map(([update, spec]) => ({
          workflowId: ids.renewal,
          update,
          valid: spec.example as Record<string, unknown>,
        })),
        { workflowId: ids.queue, update: 'redrive', valid: redriveArgs.example as Record<string, unknown> },
      ];
      const problems: string[] = [];
      let count = 0;
      for (const { workflowId, update, valid } of updates) {
        for (const { label, args } of badValues(valid)) {
          count++;
          const err = await env.client.workflow
            .getHandle(workflowId)
            .executeUpdate(update, { args: args as [unknown] })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
          if (!(cause instanceof ApplicationFailure) || cause.type !== 'InvalidInput' || !cause.nonRetryable)
            problems.push(`${update} with ${label}: ${String(err ?? 'accepted')}`);
          else if (cause.failure?.stackTrace)
            problems.push(`${update} with ${label}: stack trace ${cause.failure.stackTrace.slice(0, 200)}`);
        }
      }
      assert.deepEqual(problems, []);
      // A refusal by the run's state (not its shape) is plain and non-retryable too.
      const err = await env.client.workflow
        .getHandle(ids.renewal)
        .executeUpdate('acknowledge', { args: [{ who: 'ana' }] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'Refused');
      assert.equal(err.cause.nonRetryable, true);
      assert.equal(err.cause.message, 'nothing to acknowledge yet: no escalation has fired');
      assert.equal(err.cause.failure?.stackTrace ?? '', '', 'the refusal carries no stack trace');
      assert.ok((await workflowTaskRetrying(ids.renewal)) <= 1);
      console.log(`      ${count} bad updates refused`);
    });
  });
});

/** Reads the renewal's status until its newest action is by `who` (queries see state between tasks). */
function lastActionBy(read: () => Promise<RenewalStatus>, who: string): Promise<RenewalStatus> {
  return eventually(read, (status) => status.actions.at(-1)?.who === who, {
    what: `the renewal's newest action to be by ${who}`,
    timeoutMs: 60_000,
  });
}
