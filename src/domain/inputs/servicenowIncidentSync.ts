// servicenowIncidentSync's input.
import { z } from 'zod';
import { SYNC_TABLES } from '../servicenow';
import { inputSpec } from './parse';

const keyset = z
  .object({
    updatedOn: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'must be YYYY-MM-DD HH:MM:SS UTC'),
    sysId: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits'),
  })
  .strict();

export const servicenowIncidentSyncInput = inputSpec(
  z
    .object({
      cursor: z
        .object({ incident: keyset.optional(), change_request: keyset.optional() })
        .strict()
        .optional(),
      pageSize: z.number().int().min(1).max(10_000).optional(),
      settleSeconds: z.number().min(0).max(3_600).optional(),
      maxPages: z.number().int().min(1).max(100_000).optional(),
      tables: z.array(z.enum(SYNC_TABLES)).min(1).max(SYNC_TABLES.length).optional(),
    })
    .strict(),
  { pageSize: 1000, tables: ['incident'] },
);
