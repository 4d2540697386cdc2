// What a prebuilt workflow bundle must carry besides the workflows: the workflow interceptors and
// the failure converter (a Worker given a bundle cannot add either). Used by the production build,
// the tests and the benchmarks, so every bundle encodes failures as the workers' activities do.
import type { BundleOptions } from '@temporalio/worker';
import { AUDIT_WORKFLOW_INTERCEPTOR_MODULES } from './auditWorker';
import { FAILURE_CONVERTER_PATH } from './codec/dataConverter';

export function workflowBundleOptions(
  workflowsPath = require.resolve('./workflows'),
): Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'failureConverterPath'> {
  return {
    workflowsPath,
    workflowInterceptorModules: AUDIT_WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
