// The benchmarks' child processes (worker, ceiling) run the way production runs the worker:
// compiled JavaScript on plain node (`node lib/src/worker.js` in the image), not through tsx,
// whose loader alone keeps about 40 MB resident that no deployed worker carries.
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The image's NODE_OPTIONS (Dockerfile): small semi-spaces keep ~50 MB less resident at the same speed. */
export const PRODUCTION_NODE_OPTIONS = '--max-old-space-size=160 --max-semi-space-size=2';

/** Compiles src and scripts/bench into lib/bench; returns the path of a compiled bench script. */
export function compileBenchChildren(): (script: string) => string {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const wsdl = join('src', 'vendors', 'workday', 'Human_Resources.wsdl');
  copyFileSync(join(ROOT, wsdl), join(ROOT, 'lib', 'bench', wsdl));
  return (script) => join(ROOT, 'lib', 'bench', 'scripts', 'bench', script.replace(/\.ts$/, '.js'));
}
