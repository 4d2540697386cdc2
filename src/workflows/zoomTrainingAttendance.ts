// zoomTrainingAttendance: one run per ended Zoom training (workflow id from the meeting UUID, so a
// re-sent `meeting.ended` never starts a second run). Zoom's participant report lags the end of the
// meeting: the run looks on durable timers until it is there, then one activity records attendance
// in each region's ERPNext and the L&D channel gets the summary.
import type { Duration } from '@temporalio/common';
import { ApplicationFailure, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { durationMs } from '../domain/duration';
import { zoomDeliveryArgs, zoomTrainingAttendanceInput } from '../domain/inputs/zoom';
import { attendanceAlert, type AttendanceReport, type ZoomMeetingRef } from '../domain/zoom';
import { announce } from './shared/announce';
import { signalArg } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { countRun } from './shared/runMetrics';

export interface ZoomTrainingAttendanceInput extends ZoomMeetingRef {
  pollEvery?: Duration;
  giveUpAfter?: Duration;
}

export interface ZoomTrainingAttendanceResult extends AttendanceReport {
  meetingUuid: string;
  /** Looks at a report that was not ready yet. */
  notReadyPolls: number;
  /** Webhook deliveries of this meeting's end the ingress handed over while the run was open. */
  deliveries: number;
}

export const zoomDeliveredSignal = defineSignal<[unknown]>('delivered');

const zoom = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  // Zoom's daily limit answers Retry-After until midnight UTC: the retries may wait that long.
  scheduleToCloseTimeout: '2 days',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function zoomTrainingAttendance(
  raw: ZoomTrainingAttendanceInput,
): Promise<ZoomTrainingAttendanceResult> {
  const input = beginRun(zoomTrainingAttendanceInput, raw, (i) => ({
    connector: 'zoom',
    details: `Attendance of the Zoom ${i.kind} "${i.topic}" (${i.startTime}) into ERPNext Training Events.`,
  }));
  let deliveries = 0;
  setHandler(zoomDeliveredSignal, (arg) => {
    if (signalArg(zoomDeliveryArgs, arg, 'delivered')) deliveries++;
  });
  dropUnknownSignals();
  const ref: ZoomMeetingRef = {
    meetingUuid: input.meetingUuid,
    meetingId: input.meetingId,
    kind: input.kind,
    topic: input.topic,
    startTime: input.startTime,
    endTime: input.endTime,
  };
  const pollEvery = input.pollEvery ?? '5 minutes';
  const deadline = Date.now() + durationMs(input.giveUpAfter ?? '24 hours');
  let notReadyPolls = 0;
  for (;;) {
    const outcome = await zoom.recordZoomAttendance(ref);
    if (outcome.status === 'recorded') {
      countRun('zoom', 'zoomTrainingAttendance', 'recorded');
      await announce(attendanceAlert(ref, outcome));
      return { ...outcome, meetingUuid: input.meetingUuid, notReadyPolls, deliveries };
    }
    notReadyPolls++;
    if (Date.now() + durationMs(pollEvery) > deadline) {
      countRun('zoom', 'zoomTrainingAttendance', 'report_not_ready');
      throw ApplicationFailure.nonRetryable(
        `Zoom's participant report for ${input.meetingUuid} was still not ready after ${notReadyPolls} looks`,
        'ReportNotReady',
      );
    }
    await sleep(pollEvery);
  }
}
