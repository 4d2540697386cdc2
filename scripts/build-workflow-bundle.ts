// Prebuilds the workflow bundle for production (WORKFLOW_BUNDLE_PATH), so workers start without
// bundling at boot and every worker runs byte-identical workflow code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../src/workflowBundle';

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(__dirname, '..', 'lib', 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode(workflowBundleOptions());
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
