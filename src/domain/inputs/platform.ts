// Inputs of the platform's own workflows: circuitBreaker, channelRecovery, openIncident.
import { z } from 'zod';
import { NOTE, inputSpec, isoDateTime, text } from './parse';

const transition = z.object({ by: text(200), reason: NOTE }).strict();

export const circuitBreakerInput = inputSpec(
  z
    .object({
      connector: text(60),
      state: z.enum(['closed', 'open']).optional(),
      history: z
        .array(transition.extend({ state: z.enum(['closed', 'open']), at: isoDateTime }))
        .max(100)
        .optional(),
    })
    .strict(),
  { connector: 'erpnext' },
);

export const breakerTransitionArgs = inputSpec(transition, { by: 'ana', reason: 'vendor maintenance' });

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
