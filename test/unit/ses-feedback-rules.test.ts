// The suppression and reputation rules of the SES feedback list: which feedback suppresses, and
// where the rolling rates warn and pause.
import assert from 'node:assert/strict';
import {
  applyFeedback,
  countInto,
  DEFAULT_THRESHOLDS,
  reputationOf,
  type FeedbackEvent,
  type Suppression,
  type TransientCount,
} from '../../src/domain/sesFeedback';

const event = (kind: FeedbackEvent['kind'], key = 'a'.repeat(64)): FeedbackEvent => ({
  messageId: `m-${Math.random()}`,
  kind,
  addressKey: key,
  hint: 'a…@example.com',
  configurationSet: 'ops',
  at: '2026-11-30T09:00:00Z',
});

describe('SES feedback rules', () => {
  it('suppresses at once on a permanent bounce or a complaint, on the third transient bounce', () => {
    for (const kind of ['permanent-bounce', 'complaint'] as const) {
      const suppressed = new Map<string, Suppression>();
      assert.equal(applyFeedback(suppressed, new Map(), event(kind), 3)?.reason, kind);
    }
    const suppressed = new Map<string, Suppression>();
    const transient = new Map<string, TransientCount>();
    assert.equal(applyFeedback(suppressed, transient, event('transient-bounce'), 3), undefined);
    assert.equal(applyFeedback(suppressed, transient, event('transient-bounce'), 3), undefined);
    assert.equal(transient.get('a'.repeat(64))?.count, 2);
    assert.equal(
      applyFeedback(suppressed, transient, event('transient-bounce'), 3)?.reason,
      'repeated-transient-bounce',
    );
    assert.equal(transient.size, 0);
  });

  it('warns at 2% bounces, pauses at 4%, judges nothing under the minimum volume', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const level = (sent: number, bounces: number) =>
      reputationOf('ops', countInto([], now, { sent, bounces }, 7), now, DEFAULT_THRESHOLDS).level;
    assert.equal(level(100, 1), 'ok');
    assert.equal(level(100, 2), 'warn');
    assert.equal(level(1000, 43), 'paused');
    assert.equal(level(5, 1), 'ok');
  });

  it('forgets days that left the rolling window', () => {
    const day = 86_400_000;
    const start = Date.parse('2026-11-01T12:00:00Z');
    const old = countInto([], start, { sent: 100, bounces: 10 }, 7);
    const later = countInto(old, start + 7 * day, { sent: 100 }, 7);
    const r = reputationOf('ops', later, start + 7 * day, DEFAULT_THRESHOLDS);
    assert.deepEqual([r.sent, r.bounces, r.level], [100, 0, 'ok']);
  });
});
