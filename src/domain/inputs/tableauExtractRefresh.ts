// tableauExtractRefresh's input.
import { z } from 'zod';
import { inputSpec, text } from './parse';

const names = z.array(text(200)).max(500).optional();
const positive = (max: number) => z.number().positive().max(max).optional();

export const tableauExtractRefreshInput = inputSpec(
  z
    .object({
      reason: z.enum(['schedule', 'upstream-drift', 'operator']),
      datasources: z.object({ names, projects: names, tags: names }).strict().optional(),
      drift: z
        .object({ newFields: z.array(text(200)).max(1_000), source: text(60).optional() })
        .strict()
        .optional(),
      maxConcurrent: positive(50),
      jobTimeoutMinutes: positive(7 * 24 * 60),
      pollInitialSeconds: positive(3_600),
      pollMaxSeconds: positive(6 * 3_600),
    })
    .strict(),
  { reason: 'operator', datasources: { tags: ['workday'] } },
);
