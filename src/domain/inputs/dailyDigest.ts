// dailyDigest's input.
import { z } from 'zod';
import { inputSpec } from './parse';

export const dailyDigestInput = inputSpec(
  z
    .object({
      hours: z
        .number()
        .positive()
        .max(24 * 31)
        .optional(),
    })
    .strict(),
  { hours: 24 },
);
