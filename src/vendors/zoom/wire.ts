// Zoom API answers as zod schemas: only the fields the connector reads; the rest passes through.
import { z } from 'zod';

export const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
});

/** GET /report/{meetings|webinars}/{id}/participants: one row per join. */
export const participantsPage = z.object({
  next_page_token: z.string().optional().default(''),
  total_records: z.number().optional(),
  participants: z
    .array(
      z.object({
        name: z.string().default(''),
        user_email: z.string().optional().default(''),
        duration: z.number().nonnegative(),
      }),
    )
    .default([]),
});

/** GET /{meetings|webinars}/{id}/registrants: the invitee list of a meeting with registration. */
export const registrantsPage = z.object({
  next_page_token: z.string().optional().default(''),
  registrants: z.array(z.object({ email: z.string() })).default([]),
});

/** Zoom's error body: `{ code, message }` (e.g. 3001 meeting not found, 124 invalid token). */
export const errorBody = z.object({ code: z.number().optional(), message: z.string().optional() });
