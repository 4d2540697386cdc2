import assert from 'node:assert/strict';
import { confirmRepeats, IdIndex, idHash } from '../../src/activities/workday/idIndex';

describe('repeated-id index of the Workday scan', () => {
  it('finds every repeat among 100,000 ids, the first occurrence winning', () => {
    const index = new IdIndex();
    const ids = new Map<number, string>();
    for (let line = 2; line < 100_002; line++) ids.set(line, `W${100000 + line}`);
    ids.set(70_000, 'W100010'); // repeats line 10's id
    ids.set(90_000, 'W100010');
    ids.set(95_000, 'W150000'); // repeats line 50,000's id
    for (const [line, id] of ids) index.add(id, line);

    const candidates = index.candidateLines();
    assert.deepEqual(
      [...candidates].sort((a, b) => a - b),
      [10, 50_000, 70_000, 90_000, 95_000],
    );
    const repeats = confirmRepeats([...candidates].map((line) => ({ line, id: ids.get(line)! })));
    assert.deepEqual(repeats, [
      { line: 70_000, employeeId: 'W100010', firstLine: 10 },
      { line: 90_000, employeeId: 'W100010', firstLine: 10 },
      { line: 95_000, employeeId: 'W150000', firstLine: 50_000 },
    ]);
  });

  it('never reports a hash collision between different ids as a repeat', () => {
    // Two lines whose hashes were equal would both be candidates; the real ids differ: no repeat.
    assert.deepEqual(
      confirmRepeats([
        { line: 3, id: 'A' },
        { line: 9, id: 'B' },
      ]),
      [],
    );
    assert.notEqual(idHash('W100001'), idHash('W100010'));
    assert.ok(Number.isSafeInteger(idHash('any id at all')));
  });
});
