// Input of zoomTrainingAttendance: the ended meeting as the ingress read it from Zoom's event.
import { z } from 'zod';
import { duration, inputSpec, isoDateTime, text } from './parse';

export const zoomTrainingAttendanceInput = inputSpec(
  z
    .object({
      meetingUuid: text(100),
      meetingId: z.string().regex(/^\d{9,12}$/, 'must be the meeting number (digits)'),
      kind: z.enum(['meeting', 'webinar']),
      topic: text(300),
      startTime: isoDateTime,
      endTime: isoDateTime,
      /** How often to look whether Zoom's participant report is ready (it lags the meeting's end). */
      pollEvery: duration.optional(),
      /** Give up when the report is still missing after this long. */
      giveUpAfter: duration.optional(),
    })
    .strict(),
  {
    meetingUuid: '4444AAAiAAAAAiAiAiiAii==',
    meetingId: '85746065432',
    kind: 'meeting',
    topic: 'Training: secure coding',
    startTime: '2026-11-30T09:00:00Z',
    endTime: '2026-11-30T10:00:00Z',
  },
);

/** The `delivered` signal: one per webhook delivery the ingress took (retries included). */
export const zoomDeliveryArgs = inputSpec(z.object({ eventTs: z.number().int().nonnegative() }).strict(), {
  eventTs: 1764493200000,
});
