// Inputs of the Twilio workflows (smsPage, twilioCostGuard) and the status-callback signal.
import { z } from 'zod';
import { duration, inputSpec, text } from './parse';

const alert = z
  .object({
    title: text(1_000),
    severity: z.enum(['info', 'warning', 'critical']),
    summary: z.string().max(4_000),
    facts: z
      .array(z.object({ name: text(200), value: z.string().max(2_000) }).strict())
      .max(30)
      .optional(),
    connector: text(100).optional(),
    run: z
      .object({ namespace: text(200), workflowId: text(1_000), runId: text(100) })
      .strict()
      .optional(),
  })
  .strict();

export const smsPageInput = inputSpec(z.object({ alert }).strict(), {
  alert: {
    title: 'Certificate expires in 3 days: erp.example.com',
    severity: 'critical',
    summary: 'P1 incident opened.',
  },
});

export const smsStatusArgs = inputSpec(
  z
    .object({
      sid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'must be a message SID (SM + 32 hex)'),
      status: z.enum([
        'accepted',
        'scheduled',
        'queued',
        'sending',
        'sent',
        'delivered',
        'undelivered',
        'failed',
        'read',
        'canceled',
      ]),
      errorCode: z.number().int().nonnegative().optional(),
    })
    .strict(),
  { sid: `SM${'0'.repeat(32)}`, status: 'delivered' },
);

export const twilioCostGuardInput = inputSpec(z.object({ checkEvery: duration.optional() }).strict(), {
  checkEvery: '15 minutes',
});
