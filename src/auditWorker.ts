// Wires the audit trail into a Worker: the `audit` sink that workflow code writes through, the
// workflow interceptors (signals, updates, the actor header on activities) and the activity
// interceptor that makes that actor current while an activity runs (vendorCall reads it).
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory, InjectedSinks, WorkerOptions } from '@temporalio/worker';
import { runAsActor, writeAudit } from './audit';
import { AUDIT_ACTOR_HEADER } from './domain/audit';
import type { AuditSinks } from './workflows/shared/audit';

export function auditSinks(): InjectedSinks<AuditSinks> {
  return {
    audit: {
      record: {
        fn: (info, event) => writeAudit({ ...event, workflowId: info.workflowId, runId: info.runId }),
        callDuringReplay: false,
      },
    },
  };
}

const actorFromHeader: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute: (input, next) => {
      const header = input.headers[AUDIT_ACTOR_HEADER];
      const actor = header ? defaultPayloadConverter.fromPayload<string>(header) : 'workflow';
      return runAsActor(actor, () => next(input));
    },
  },
});

/**
 * Workflow interceptor modules (the audit trail; the announcement of failed runs): also needed by
 * `bundleWorkflowCode` for a prebuilt bundle.
 */
export const AUDIT_WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('./workflows/shared/auditInterceptors'),
  require.resolve('./workflows/shared/failureInterceptors'),
];

/**
 * Spread into Worker.create options. `prebuiltBundle`: the interceptors are already in the bundle
 * (see scripts/build-workflow-bundle.ts), and the worker warns when given modules it cannot use.
 */
export function auditWorkerOptions(prebuiltBundle = false): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  return {
    sinks: auditSinks(),
    interceptors: {
      activity: [actorFromHeader],
      workflowModules: prebuiltBundle ? [] : AUDIT_WORKFLOW_INTERCEPTOR_MODULES,
    },
  };
}
