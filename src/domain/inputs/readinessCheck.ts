// readinessCheck's input.
import { z } from 'zod';
import { inputSpec, text } from './parse';

export const readinessCheckInput = inputSpec(
  z
    .object({
      connectors: z.array(text(60)).max(50).optional(),
      certWarnDays: z.number().int().min(1).max(365).optional(),
      startRenewals: z.boolean().optional(),
    })
    .strict(),
  { connectors: ['erpnext'], certWarnDays: 30 },
);
