// Inputs of the Salesforce workflows and the arguments of their signals and updates.
import { z } from 'zod';
import { cursorProblem, POOL_CHANGE_DEPENDENCY } from '../salesforce';
import { duration, inputSpec, NOTE, text, WHO } from './parse';

const cursor = z
  .object({ systemModstamp: z.string().max(40), id: z.string().max(18) })
  .strict()
  .superRefine((c, ctx) => {
    const problem = cursorProblem(c);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const limits = {
  /** Requests of the daily allocation kept for people and other integrations: under it, park. */
  reserve: z.number().int().min(0).max(10_000_000).optional(),
  /** How long a parked run waits before it looks at /limits again. */
  parkFor: duration.optional(),
};

export const salesforceAccountSyncInput = inputSpec(
  z
    .object({
      cursor: cursor.optional(),
      /** Deltas larger than this (and the first load) read through a Bulk 2.0 query job. */
      bulkThreshold: z.number().int().min(0).max(10_000_000).optional(),
      /** Accounts per REST keyset page (each page follows nextRecordsUrl). */
      pageSize: z.number().int().min(1).max(50_000).optional(),
      /** Rows per Bulk query results page (Sforce-Locator). */
      bulkPageSize: z.number().int().min(1).max(100_000).optional(),
      settleSeconds: z.number().min(0).max(3_600).optional(),
      /** Without a wake-up, sync again after this long. */
      interval: duration.optional(),
      /** Rounds before continue-as-new. */
      roundsPerRun: z.number().int().min(1).max(1_000).optional(),
      /** Notification ids already taken (carried over continue-as-new). */
      seen: z.array(z.string().max(40)).max(1_000).optional(),
      /** One round, then the report (an operator's "sync now"; tests): no loop, no wake-ups. */
      once: z.boolean().optional(),
      /** Poll interval bounds of a Bulk query job. */
      pollInitial: duration.optional(),
      pollMax: duration.optional(),
      /** A scheduled kick: wake the singleton sync and end. */
      trigger: z.enum(['schedule', 'operator']).optional(),
      ...limits,
    })
    .strict(),
  { bulkThreshold: 10_000, pageSize: 2_000, reserve: 5_000, parkFor: '1 hour' },
);

export const salesforceNotifyArgs = inputSpec(
  z
    .object({
      notificationIds: z.array(z.string().min(1).max(40)).min(1).max(100),
      accountIds: z.array(z.string().min(1).max(18)).max(100),
    })
    .strict(),
  { notificationIds: ['04l000000000001AAA'], accountIds: ['001000000000001AAA'] },
);

export const salesforceAccountIntelligenceInput = inputSpec(
  z
    .object({
      /** First wait before looking at the ingest job's state; doubles up to pollMax. */
      pollInitial: duration.optional(),
      pollMax: duration.optional(),
      ...limits,
    })
    .strict(),
  { pollInitial: '5 seconds', pollMax: '2 minutes', reserve: 5_000 },
);

export const salesforceSettingsInput = inputSpec(
  z
    .object({
      poolSize: z.number().int().min(1).max(100).optional(),
      /** A lease not released after this long is taken back (its holder died). */
      leaseTtl: duration.optional(),
      changes: z.array(z.record(z.unknown())).max(20).optional(),
    })
    .strict(),
  { poolSize: 5, leaseTtl: '15 minutes' },
);

export const setPoolSizeArgs = inputSpec(
  z
    .object({
      poolSize: z.number().int().min(1).max(100),
      /** The approved ServiceNow change request (CAB), e.g. CHG0030001. */
      changeNumber: z.string().regex(/^CHG\d{7}$/, 'must be a change number such as CHG0030001'),
      /** The network team's ticket this change depends on. */
      dependency: z.literal(POOL_CHANGE_DEPENDENCY, {
        errorMap: () => ({ message: `must be ${POOL_CHANGE_DEPENDENCY} (the network team's ticket)` }),
      }),
      who: WHO,
      reason: NOTE.optional(),
    })
    .strict(),
  { poolSize: 8, changeNumber: 'CHG0030001', dependency: POOL_CHANGE_DEPENDENCY, who: 'ana.ops' },
);

export const leaseArgs = inputSpec(z.object({ workflowId: text(200), leaseId: text(100) }).strict(), {
  workflowId: 'salesforce-account-sync',
  leaseId: 'lease-1',
});
