// The test command's gate around mocha: a parallel run whose worker crashed after reporting exits 0
// from mocha itself, without a summary (mochajs/mocha#5184); the gate fails it. A clean run passes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'mocha-gate');
const run = (runner: string[], ...specs: string[]) => {
  // The crashing file marks its crash; the healthy one waits for the mark (a fresh path per run).
  const marker = join(mkdtempSync(join(tmpdir(), 'mocha-gate-')), 'crashed');
  return spawnSync(
    process.execPath,
    [...runner, '--no-config', '--parallel', '--jobs', '2', ...specs.map((s) => join(FIXTURES, s))],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...(specs.length > 1 ? { MOCHA_GATE_MARKER: marker } : {}) },
    },
  );
};

describe('mocha gate (npm run mocha)', () => {
  it('fails a parallel run that lost results, which mocha alone passes', () => {
    const specs = ['late-crash.spec.js', 'healthy.spec.js'];
    const plain = run([require.resolve('mocha/bin/mocha.js')], ...specs);
    assert.equal(plain.status, 0, 'mocha itself passes it (the bug the gate is for)');
    const gated = run([join(ROOT, 'scripts', 'mocha-gate.js')], ...specs);
    assert.notEqual(gated.status, 0);
    assert.match(gated.stderr, /\[mocha-gate\] FAILED: .*mocha lost results/);
  });

  it('passes a clean run', () => {
    const gated = run([join(ROOT, 'scripts', 'mocha-gate.js')], 'healthy.spec.js');
    assert.equal(gated.status, 0, gated.stdout + gated.stderr);
  });
});
