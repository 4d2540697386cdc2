// Dead-letter rules: deterministic ids merge a retried producer's items, filters select by
// connector, error type and age, oversized payloads must go by reference, empty redrives are refused.
import assert from 'node:assert/strict';
import {
  MAX_PAYLOAD_BYTES,
  deadLetterError,
  matchesFilter,
  mergeDeadLetter,
  recordRedriveFailure,
  redriveRequestProblem,
  selectForRedrive,
  summarize,
  validateDeadLetterInput,
  type DeadLetterInput,
  type DeadLetterItem,
} from '../../src/domain/deadLetter';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function input(key: string, overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    connector: 'erpnext',
    kind: 'erpnext-employee',
    key,
    payload: { employee_number: key },
    error: deadLetterError('VendorUnavailable', ['HTTP 503']),
    failedAt: new Date(T0).toISOString(),
    source: { workflowId: 'wf-1', runId: 'r1' },
    ...overrides,
  };
}

describe('dead-letter rules', () => {
  it('a retried producer updates its item instead of adding a second one', () => {
    const items = new Map<string, DeadLetterItem>();
    mergeDeadLetter(items, input('E1'), T0, 7 * DAY);
    const later = new Date(T0 + DAY).toISOString();
    const again = mergeDeadLetter(
      items,
      input('E1', { failedAt: later, error: deadLetterError('RateLimited', ['429']) }),
      T0 + DAY,
      7 * DAY,
    );
    assert.equal(items.size, 1);
    assert.equal(again.id, 'erpnext-employee:E1');
    assert.equal(again.attempts, 2);
    assert.equal(again.firstFailedAt, new Date(T0).toISOString());
    assert.equal(again.lastFailedAt, later);
    assert.equal(again.error.type, 'RateLimited');

    // Tomorrow's run fails on the same record: still one item, with the newest source.
    const tomorrow = mergeDeadLetter(
      items,
      input('E1', {
        source: { workflowId: 'wf-2', runId: 'r2' },
        failedAt: new Date(T0 + 2 * DAY).toISOString(),
      }),
      T0 + 2 * DAY,
      7 * DAY,
    );
    assert.equal(items.size, 1);
    assert.equal(tomorrow.attempts, 3);
    assert.equal(tomorrow.source.workflowId, 'wf-2');
    assert.equal(tomorrow.history.length, 3);
    assert.equal(again.expiresAt, new Date(T0 + 8 * DAY).toISOString());
    assert.deepEqual(
      again.history.map((h) => h.error),
      ['HTTP 503', '429'],
    );
  });

  it('filters by connector, error type and age', () => {
    const items = new Map<string, DeadLetterItem>();
    const a = mergeDeadLetter(items, input('A'), T0, 7 * DAY);
    const b = mergeDeadLetter(
      items,
      input('B', {
        failedAt: new Date(T0 + 2 * DAY).toISOString(),
        error: deadLetterError('InvalidRequest', ['417']),
      }),
      T0 + 2 * DAY,
      7 * DAY,
    );
    const now = T0 + 3 * DAY;
    assert.ok(matchesFilter(a, { olderThan: '2d' }, now));
    assert.ok(!matchesFilter(b, { olderThan: '2d' }, now));
    assert.ok(!matchesFilter(a, { connector: 'erpnext-eu' }, now));
    assert.deepEqual(
      selectForRedrive(items.values(), { filter: { errorType: 'InvalidRequest' } }, now).map((i) => i.key),
      ['B'],
    );
    assert.deepEqual(
      selectForRedrive(items.values(), { ids: [a.id], filter: { errorType: 'InvalidRequest' } }, now),
      [],
    );
  });

  it('refuses empty redrive selections and bad durations', () => {
    assert.match(redriveRequestProblem({})!, /empty selection/);
    assert.match(redriveRequestProblem({ ids: [] })!, /empty selection/);
    assert.match(redriveRequestProblem({ filter: {} })!, /empty selection/);
    assert.match(redriveRequestProblem({ filter: { olderThan: 'soon' as never } })!, /not a duration/);
    assert.equal(redriveRequestProblem({ ids: ['x'] }), undefined);
    assert.equal(redriveRequestProblem({ filter: { olderThan: '2d' } }), undefined);
  });

  it('oversized payloads must be sent by reference; error chains stay bounded', () => {
    const big = { blob: 'x'.repeat(MAX_PAYLOAD_BYTES) };
    assert.match(validateDeadLetterInput(input('E1', { payload: big })).join(), /by reference/);
    assert.deepEqual(
      validateDeadLetterInput(input('E1', { payload: undefined, payloadRef: 'file:///q/1' })),
      [],
    );
    const error = deadLetterError(
      'X',
      Array.from({ length: 9 }, () => 'm'.repeat(2000)),
    );
    assert.equal(error.chain.length, 5);
    assert.ok(error.chain.every((m) => m.length === 500));
  });

  it('a failed redrive keeps the item with one more attempt; summaries carry no payload', () => {
    const items = new Map<string, DeadLetterItem>();
    const item = mergeDeadLetter(items, input('E1'), T0, 7 * DAY);
    const failed = recordRedriveFailure(item, deadLetterError('InvalidRequest', ['417']), T0 + DAY, 7 * DAY);
    assert.equal(failed.attempts, 2);
    assert.deepEqual(
      failed.history.map((h) => h.outcome),
      ['failed', 'redrive-failed'],
    );
    const summary = summarize(failed);
    assert.ok(!('payload' in summary));
    assert.equal(summary.historyLength, 2);
  });
});
