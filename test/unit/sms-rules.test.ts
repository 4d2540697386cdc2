// The pure SMS rules: the spend level against the daily warning and cap, who may still page at
// each level, and status callbacks that only move forward.
import assert from 'node:assert/strict';
import { applyStatus, mayPage, spendLevel, type PagedMessage } from '../../src/domain/sms';

describe('SMS rules', () => {
  it('spend level: ok under the warning, warning from it, capped from the cap', () => {
    const limits = { warnAt: 3, cap: 5 };
    assert.equal(spendLevel(0, limits), 'ok');
    assert.equal(spendLevel(2.99, limits), 'ok');
    assert.equal(spendLevel(3, limits), 'warning');
    assert.equal(spendLevel(4.99, limits), 'warning');
    assert.equal(spendLevel(5, limits), 'capped');
    assert.equal(spendLevel(50, limits), 'capped');
  });

  it('spend level without a limit: never that level', () => {
    assert.equal(spendLevel(1_000, {}), 'ok');
    assert.equal(spendLevel(1_000, { warnAt: 3 }), 'warning');
    assert.equal(spendLevel(1_000, { cap: 5 }), 'capped');
    assert.equal(spendLevel(4, { cap: 5 }), 'ok');
  });

  it('may page: everything until capped; over the cap only critical alerts', () => {
    for (const level of ['ok', 'warning'] as const)
      for (const severity of ['info', 'warning', 'critical'] as const)
        assert.equal(mayPage(severity, level), true, `${severity} at ${level}`);
    assert.equal(mayPage('critical', 'capped'), true);
    assert.equal(mayPage('warning', 'capped'), false);
    assert.equal(mayPage('info', 'capped'), false);
  });

  it('a status callback moves a known message forward only, never past a final state', () => {
    const messages: PagedMessage[] = [{ role: 'platform-oncall', sid: 'SM1', status: 'accepted' }];
    assert.equal(applyStatus(messages, { sid: 'SM2', status: 'delivered' }), false, 'unknown sid');
    assert.equal(applyStatus(messages, { sid: 'SM1', status: 'sent' }), true);
    assert.equal(applyStatus(messages, { sid: 'SM1', status: 'queued' }), false, 'backwards');
    assert.equal(applyStatus(messages, { sid: 'SM1', status: 'undelivered', errorCode: 30003 }), true);
    assert.equal(applyStatus(messages, { sid: 'SM1', status: 'delivered' }), false, 'final');
    assert.deepEqual(messages, [
      { role: 'platform-oncall', sid: 'SM1', status: 'undelivered', errorCode: 30003 },
    ]);
  });
});
