// Inputs of the platform's own workflows: circuitBreaker, channelRecovery, openIncident.
import { z } from 'zod';
import { NOTE, inputSpec, isoDateTime, text } from './parse';

const transition = z.object({ by: text(200), reason: NOTE }).strict();
const breakerState = z.enum(['closed', 'open', 'half-open']);
const ms = z.number().int().positive();
export const breakerPolicy = z
  .object({ failures: z.number().int().min(1).max(1_000), windowMs: ms, openForMs: ms, probeTimeoutMs: ms })
  .strict();

export const circuitBreakerInput = inputSpec(
  z
    .object({
      connector: text(60),
      state: breakerState.optional(),
      history: z
        .array(transition.extend({ state: breakerState, at: isoDateTime }))
        .max(100)
        .optional(),
      policy: breakerPolicy.optional(),
      /** Carried over continue-as-new: failures in the window, hold, probe slot. */
      core: z
        .object({
          state: breakerState,
          failures: z.array(z.number()).max(1_000),
          halfOpenAt: z.number().optional(),
          heldBy: text(200).optional(),
          probe: z
            .object({ by: text(200), until: z.number() })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  { connector: 'erpnext' },
);

export const breakerTransitionArgs = inputSpec(transition, { by: 'ana', reason: 'vendor maintenance' });

export const breakerPermitArgs = inputSpec(
  z.object({ by: text(200), policy: breakerPolicy.optional() }).strict(),
  { by: 'deadLetterQueue' },
);

export const breakerOutcomeArgs = inputSpec(
  z.object({ by: text(200), ok: z.boolean(), reason: NOTE.optional() }).strict(),
  { by: 'deadLetterQueue', ok: false, reason: 'ERPNext answered 503' },
);

export const channelRecoveryInput = inputSpec(z.object({ channel: z.enum(['slack', 'teams']) }).strict(), {
  channel: 'slack',
});

export const missedAlertArgs = inputSpec(
  z
    .object({
      title: text(1_000),
      severity: z.enum(['info', 'warning', 'critical']),
      at: isoDateTime,
    })
    .strict(),
  { title: 'Readiness check: FAIL', severity: 'critical', at: '2026-11-30T08:00:00Z' },
);

export const openIncidentInput = inputSpec(
  z
    .object({
      sourceSystem: text(60),
      sourceId: text(300),
      title: text(300),
      description: z.string().max(4_000).optional(),
      severity: z.enum(['critical', 'high', 'moderate', 'low']),
      status: z.enum(['open', 'resolved']).optional(),
      category: text(100).optional(),
      assignmentGroup: text(100).optional(),
    })
    .strict(),
  {
    sourceSystem: 'erpnext',
    sourceId: 'E1001',
    title: 'ERPNext refused employee E1001',
    severity: 'moderate',
  },
);

export const runFailureAlertInput = inputSpec(
  z
    .object({
      run: z
        .object({
          namespace: text(200),
          workflowId: text(1_000),
          runId: text(100),
          workflowType: text(200),
        })
        .strict(),
      connector: text(100),
      failureType: text(200),
      /** The failure's message, clipped: an alert is not the place for a megabyte. */
      reason: z.string().max(2_000),
    })
    .strict(),
  {
    run: {
      namespace: 'default',
      workflowId: 'readiness-check',
      runId: '0193…',
      workflowType: 'readinessCheck',
    },
    connector: 'platform',
    failureType: 'ActivityFailure',
    reason: 'activity task failed',
  },
);
