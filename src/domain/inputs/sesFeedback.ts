// sesFeedback's input (also what it continues as new with) and its signals' and update's arguments.
import { z } from 'zod';
import { inputSpec, isoDateTime, text, WHO, NOTE } from './parse';

const addressKey = z.string().regex(/^[0-9a-f]{64}$/, 'must be the sha256 hex of an address');
const hint = z.string().max(320);
const configurationSet = text(64);
const kind = z.enum(['permanent-bounce', 'transient-bounce', 'complaint']);
const count = z.number().int().min(0);

const feedbackEvent = z
  .object({ messageId: text(200), kind, addressKey, hint, configurationSet, at: isoDateTime })
  .strict();
const dayCounts = z
  .object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), sent: count, bounces: count, complaints: count })
  .strict();
const rate = z.number().min(0).max(1);

export const sesFeedbackInput = inputSpec(
  z
    .object({
      thresholds: z
        .object({
          bounceWarn: rate,
          bouncePause: rate,
          complaintWarn: rate,
          complaintPause: rate,
          minSends: z.number().int().min(1),
          windowDays: z.number().int().min(1).max(90),
          transientLimit: z.number().int().min(1).max(100),
        })
        .partial()
        .strict()
        .optional(),
      continueAsNewAfter: z.number().int().min(1).max(10_000).optional(),
      suppressions: z
        .array(
          z
            .object({
              addressKey,
              hint,
              reason: z.enum(['permanent-bounce', 'complaint', 'repeated-transient-bounce']),
              since: isoDateTime,
            })
            .strict(),
        )
        .max(200_000)
        .optional(),
      transient: z
        .array(z.object({ addressKey, hint, count: count, last: isoDateTime }).strict())
        .max(200_000)
        .optional(),
      counts: z.record(configurationSet, z.array(dayCounts).max(100)).optional(),
      levels: z.record(configurationSet, z.enum(['ok', 'warn', 'paused'])).optional(),
      recentMessageIds: z.array(text(200)).max(10_000).optional(),
    })
    .strict(),
  { thresholds: { bouncePause: 0.04 }, continueAsNewAfter: 500 },
);

export const feedbackArgs = inputSpec(z.array(feedbackEvent).min(1).max(100), [
  {
    messageId: 'a1b2c3d4-0000-0000-0000-000000000001',
    kind: 'permanent-bounce',
    addressKey: 'a'.repeat(64),
    hint: 'b…@example.com',
    configurationSet: 'integrations',
    at: '2026-11-30T09:00:00Z',
  },
]);

export const sentArgs = inputSpec(
  z.object({ configurationSet, count: z.number().int().min(1).max(10_000) }).strict(),
  { configurationSet: 'integrations', count: 1 },
);

export const liftArgs = inputSpec(z.object({ addressKey, who: WHO, note: NOTE.optional() }).strict(), {
  addressKey: 'a'.repeat(64),
  who: 'Dana',
  note: 'mailbox fixed',
});
