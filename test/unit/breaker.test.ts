// The breaker's rules: N failures within the window open it (not N-1, not N spread wider), it
// half-opens after its open time with exactly one probe, and the probe's answer closes or re-opens it.
import assert from 'node:assert/strict';
import {
  close,
  closedCore,
  holdOpen,
  permit,
  recordFailure,
  recordSuccess,
  tick,
  type BreakerPolicy,
} from '../../src/domain/breaker';

const MIN = 60_000;
const policy: BreakerPolicy = {
  failures: 3,
  windowMs: 10 * MIN,
  openForMs: 5 * MIN,
  probeTimeoutMs: 2 * MIN,
};
const T0 = Date.parse('2026-11-30T08:00:00Z');

function failTimes(...minutes: number[]) {
  const core = closedCore();
  const results = minutes.map((m) => recordFailure(core, 'import', T0 + m * MIN, policy));
  return { core, results };
}

describe('circuit breaker rules', () => {
  it('opens on the Nth failure within the window, not on the N-1th', () => {
    const { core, results } = failTimes(0, 1, 2);
    assert.deepEqual(results, [undefined, undefined, 'open']);
    assert.equal(core.state, 'open');
    assert.equal(permit(core, 'redrive', T0 + 3 * MIN, policy).granted, false);
  });

  it('stays closed when N failures are spread wider than the window', () => {
    const { core, results } = failTimes(0, 6, 11);
    assert.deepEqual(results, [undefined, undefined, undefined]);
    assert.equal(core.state, 'closed');
    assert.deepEqual(permit(core, 'redrive', T0 + 12 * MIN, policy), {
      granted: true,
      state: 'closed',
      probe: false,
    });
  });

  it('refuses until its open time is over, naming when it half-opens', () => {
    const { core } = failTimes(0, 1, 2);
    const refused = permit(core, 'probe', T0 + 6 * MIN, policy);
    assert.deepEqual(refused, {
      granted: false,
      state: 'open',
      reason: 'breaker open until 2026-11-30T08:07:00.000Z',
      retryAt: '2026-11-30T08:07:00.000Z',
    });
  });

  it('half-opens with exactly one probe; the probe succeeding closes it', () => {
    const { core } = failTimes(0, 1, 2);
    const at = T0 + 7 * MIN;
    assert.equal(tick(core, at), 'half-open');
    assert.equal(tick(core, at), undefined, 'the transition happens once');
    assert.deepEqual(permit(core, 'readinessCheck', at, policy), {
      granted: true,
      state: 'half-open',
      probe: true,
    });
    const second = permit(core, 'deadLetterQueue', at, policy);
    assert.equal(second.granted, false);
    assert.equal(recordSuccess(core, 'deadLetterQueue'), undefined, 'only the probe closes it');
    assert.equal(recordSuccess(core, 'readinessCheck'), 'closed');
    assert.equal(permit(core, 'deadLetterQueue', at, policy).granted, true);
  });

  it('re-opens when the probe fails, for another open time', () => {
    const { core } = failTimes(0, 1, 2);
    const at = T0 + 7 * MIN;
    permit(core, 'import', at, policy);
    assert.equal(recordFailure(core, 'import', at, policy), 'open');
    assert.equal(core.halfOpenAt, at + policy.openForMs);
  });

  it('frees the probe slot when the probe never answers', () => {
    const { core } = failTimes(0, 1, 2);
    const at = T0 + 7 * MIN;
    permit(core, 'import', at, policy);
    assert.equal(permit(core, 'redrive', at + MIN, policy).granted, false);
    assert.equal(permit(core, 'redrive', at + 2 * MIN, policy).granted, true);
  });

  it('held open by hand does not half-open; its holder may probe; closing by hand closes it', () => {
    const core = closedCore();
    assert.equal(holdOpen(core, 'certificateRenewal'), 'open');
    assert.equal(tick(core, T0 + 365 * 24 * 60 * MIN), undefined);
    assert.equal(permit(core, 'deadLetterQueue', T0, policy).granted, false);
    assert.equal(permit(core, 'certificateRenewal', T0, policy).granted, true);
    assert.equal(close(core), 'closed');
    assert.equal(close(core), undefined, 'closing a closed breaker is no transition');
  });
});
