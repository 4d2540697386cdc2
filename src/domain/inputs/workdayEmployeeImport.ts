// workdayEmployeeImport's input (also what it continues as new with) and its drift-decision signal.
import { z } from 'zod';
import { WHO, duration, inputSpec, isoDateTime, text } from './parse';

const seconds = z.number().positive().max(3_600).optional();

export const workdayEmployeeImportInput = inputSpec(
  z
    .object({
      mode: z.enum(['full', 'delta']),
      since: isoDateTime.optional(),
      file: text(300).optional(),
      batchSize: z.number().int().min(1).max(1_000).optional(),
      batchLanes: z.number().int().min(1).max(8).optional(),
      breakerProbeEvery: duration.optional(),
      driftDecisionTimeout: duration.optional(),
      refreshTableauOnDrift: z.boolean().optional(),
      tableauPolling: z.object({ pollInitialSeconds: seconds, pollMaxSeconds: seconds }).strict().optional(),
      heartbeatTimeout: duration.optional(),
      // Carried over continue-as-new by the workflow itself; its shape is the workflow's own.
      resume: z
        .object({
          report: z.object({ mode: z.enum(['full', 'delta']) }).passthrough(),
          startedAt: z.number(),
        })
        .passthrough()
        .optional(),
    })
    .strict(),
  { mode: 'full', batchSize: 1000 },
);

export const driftDecisionArgs = inputSpec(
  z
    .object({
      who: WHO,
      action: z.enum(['proceed', 'abort']),
      mapping: z.record(text(100), text(100)).optional(),
    })
    .strict(),
  { who: 'ana', action: 'proceed' },
);
