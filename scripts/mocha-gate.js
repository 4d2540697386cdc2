#!/usr/bin/env node
// Runs mocha (the arguments as given) and fails when it lost results, not only when it says so:
// in parallel mode a worker that crashes after reporting (e.g. a hook that timed out and then
// settled: ERR_MOCHA_MULTIPLE_DONE) can leave mocha exiting 0 without its summary
// (mochajs/mocha#5184). So the run passes only with exit 0, a "N passing" line, no "N failing"
// line and no uncaught error. Output streams through unchanged.
'use strict';
const { spawn } = require('node:child_process');

const child = spawn(process.execPath, [require.resolve('mocha/bin/mocha.js'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'pipe'],
});
let tail = '';
const keep = (chunk) => {
  tail = (tail + chunk.toString()).slice(-200_000);
};
child.stdout.on('data', (d) => (process.stdout.write(d), keep(d)));
child.stderr.on('data', (d) => (process.stderr.write(d), keep(d)));
child.on('exit', (code, signal) => {
  const problems = [];
  if (code !== 0) problems.push(`mocha exited ${signal ?? code}`);
  if (!/^\s+\d+ passing/m.test(tail)) problems.push('no "N passing" summary: mocha lost results');
  if (/^\s+\d+ failing/m.test(tail)) problems.push('tests failed');
  if (/ERR_MOCHA_MULTIPLE_DONE|Uncaught error outside test suite/.test(tail))
    problems.push('an uncaught error outside a test');
  if (problems.length === 0) return process.exit(0);
  process.stderr.write(`\n[mocha-gate] FAILED: ${problems.join('; ')}\n`);
  process.exit(typeof code === 'number' && code !== 0 ? code : 1);
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
