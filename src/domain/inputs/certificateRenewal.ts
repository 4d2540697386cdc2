// certificateRenewal's input and the arguments of its signals and updates.
import { z } from 'zod';
import { NOTE, WHO, duration, inputSpec, isoDateTime, text } from './parse';

const ladderStep = z
  .object({
    level: z.number().int().min(1).max(20),
    name: text(100),
    daysBefore: z.number().min(0).max(365),
    audience: text(200),
    action: z.enum(['notify', 'p1-incident', 'outage']),
  })
  .strict();

export const certificateRenewalInput = inputSpec(
  z
    .object({
      host: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name such as "erp.example.com"'),
      port: z.number().int().min(1).max(65_535).optional(),
      connector: text(60).optional(),
      expiresAt: isoDateTime,
      vendorReference: text(100).optional(),
      vendorGroup: text(100).optional(),
      ladder: z.array(ladderStep).min(1).max(10).optional(),
      cabRemindEvery: duration.optional(),
      cabDeadline: duration.optional(),
    })
    .strict(),
  { host: 'erp.example.com', port: 443, expiresAt: '2026-12-24T00:00:00Z' },
);

const person = { who: WHO };
export const renewalActionArgs = {
  acknowledge: inputSpec(z.object({ ...person, note: NOTE.optional() }).strict(), {
    who: 'ana',
    note: 'on it',
  }),
  escalateNow: inputSpec(z.object({ ...person, reason: NOTE }).strict(), {
    who: 'ana',
    reason: 'vendor silent',
  }),
  snooze: inputSpec(z.object({ ...person, until: isoDateTime }).strict(), {
    who: 'ana',
    until: '2026-12-20T09:00:00Z',
  }),
  renewed: inputSpec(z.object(person).strict(), { who: 'ana' }),
  cabDecision: inputSpec(z.object({ ...person, approved: z.boolean(), note: NOTE.optional() }).strict(), {
    who: 'ana',
    approved: true,
  }),
  cancel: inputSpec(z.object({ ...person, reason: NOTE }).strict(), {
    who: 'ana',
    reason: 'host retired',
  }),
};
