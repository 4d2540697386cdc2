// deadLetterQueue's input (also what it continues as new with) and its signals' and update's arguments.
import { z } from 'zod';
import { duration, inputSpec, isoDateTime, text } from './parse';

const connector = text(60);
const error = z.object({
  type: text(200),
  message: z.string().max(10_000),
  chain: z.array(z.string().max(10_000)).max(20),
});
const source = z.object({ workflowId: text(1_000), runId: z.string().max(100).optional() });

/** What producers signal with `add`; the payload is opaque, the queue's byte budget bounds it. */
const deadLetterInput = z.object({
  id: text(500).optional(),
  connector: z.string().max(60).optional(),
  kind: text(100),
  key: text(300),
  payload: z.unknown().optional(),
  payloadRef: z.string().max(1_000).optional(),
  error,
  attempts: z.number().int().min(1).optional(),
  failedAt: isoDateTime,
  source,
});

const item = z
  .object({
    id: text(500),
    connector,
    kind: text(100),
    key: text(300),
    error,
    attempts: z.number().int().min(0),
    firstFailedAt: isoDateTime,
    lastFailedAt: isoDateTime,
    expiresAt: isoDateTime,
    source,
    history: z.array(z.object({ at: isoDateTime }).passthrough()).max(1_000),
  })
  .passthrough();

export const deadLetterQueueInput = inputSpec(
  z
    .object({
      connector,
      retention: duration.optional(),
      continueAsNewAfter: z.number().int().min(1).max(10_000).optional(),
      maxQueueBytes: z.number().int().min(1).max(1_800_000).optional(),
      items: z.array(item).max(100_000).optional(),
      expiredTotal: z.number().int().min(0).optional(),
      redrivenTotal: z.number().int().min(0).optional(),
      recent: z
        .array(z.object({ at: isoDateTime, action: text(40), count: z.number().int() }).strict())
        .max(100)
        .optional(),
    })
    .strict(),
  { connector: 'erpnext', retention: '7 days' },
);

export const addDeadLettersArgs = inputSpec(z.array(deadLetterInput).max(1_000), [
  {
    connector: 'erpnext',
    kind: 'erpnext-employee',
    key: 'E1001',
    error: { type: 'VendorUnavailable', message: '503', chain: ['503'] },
    failedAt: '2026-11-30T08:00:00Z',
    source: { workflowId: 'workday-employee-import-nightly' },
  },
]);

export const redriveArgs = inputSpec(
  z
    .object({
      ids: z.array(text(500)).max(1_000).optional(),
      filter: z
        .object({
          connector: connector.optional(),
          errorType: text(200).optional(),
          olderThan: duration.optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  { filter: { errorType: 'VendorUnavailable' } },
);
