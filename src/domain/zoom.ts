// Zoom training attendance: which ended meetings are trainings, the run's id per meeting, and how a
// participant report (one row per join) becomes one line per person with total minutes. Pure and
// deterministic: the ingress, the activities and the workflow share it.
import type { Alert } from './alert';

export type ZoomMeetingKind = 'meeting' | 'webinar';

/** What the ingress hands the workflow: Zoom's ids and the meeting's own facts, no participants. */
export interface ZoomMeetingRef {
  /** The instance's UUID (one per occurrence of a recurring meeting). */
  meetingUuid: string;
  /** The meeting (or series) number. */
  meetingId: string;
  kind: ZoomMeetingKind;
  topic: string;
  startTime: string;
  endTime: string;
}

export interface TrainingFilter {
  /** Topics starting with this (case-insensitive) are trainings. */
  topicPrefix?: string;
  /** Meeting numbers (recurring series) whose every occurrence is a training. */
  seriesIds: readonly string[];
}

export function isTraining(filter: TrainingFilter, topic: string, meetingId: string): boolean {
  if (filter.seriesIds.includes(meetingId)) return true;
  const prefix = filter.topicPrefix?.trim().toLowerCase();
  return Boolean(prefix) && topic.trim().toLowerCase().startsWith(prefix!);
}

/** One run per meeting instance: a retried or re-sent `*.ended` finds it again. */
export function zoomTrainingWorkflowId(meetingUuid: string): string {
  return `zoom-training-${meetingUuid}`;
}

/** One row of Zoom's participant report: a join (a person who rejoins has several). */
export interface ParticipantJoin {
  name: string;
  /** Empty for guests who joined without signing in. */
  email?: string;
  /** Seconds in the meeting for this join. */
  durationSeconds: number;
}

export interface PersonAttendance {
  email: string;
  minutes: number;
  joins: number;
}

export interface AttendanceTally {
  /** One per e-mail address (lower-cased), minutes summed over every join. */
  people: PersonAttendance[];
  /** Joins without an e-mail address (guests who did not sign in): reported, never matched. */
  anonymousGuests: number;
  joins: number;
}

export function tallyAttendance(joins: readonly ParticipantJoin[]): AttendanceTally {
  const byEmail = new Map<string, { seconds: number; joins: number }>();
  let anonymousGuests = 0;
  for (const join of joins) {
    const email = join.email?.trim().toLowerCase();
    if (!email) {
      anonymousGuests++;
      continue;
    }
    const seen = byEmail.get(email) ?? { seconds: 0, joins: 0 };
    seen.seconds += Math.max(0, join.durationSeconds);
    seen.joins++;
    byEmail.set(email, seen);
  }
  const people = [...byEmail]
    .map(([email, s]) => ({ email, minutes: Math.round(s.seconds / 60), joins: s.joins }))
    .sort((a, b) => a.email.localeCompare(b.email));
  return { people, anonymousGuests, joins: joins.length };
}

export type AttendanceMark = 'Present' | 'Absent';

export interface SiteAttendee {
  employee: string;
  employee_name: string;
  attendance: AttendanceMark;
  custom_minutes_attended: number;
}

/**
 * The attendees one site holds: its employees who attended (Present, with minutes) and, when there
 * is an invitee list, its invited employees who did not (Absent).
 */
export function siteAttendees(
  employees: readonly { name: string; employee_name: string; email: string }[],
  tally: AttendanceTally,
  invitees: ReadonlySet<string> | undefined,
): SiteAttendee[] {
  const minutes = new Map(tally.people.map((p) => [p.email, p.minutes]));
  const attendees: SiteAttendee[] = [];
  for (const e of employees) {
    const attended = minutes.get(e.email);
    if (attended !== undefined)
      attendees.push({
        employee: e.name,
        employee_name: e.employee_name,
        attendance: 'Present',
        custom_minutes_attended: attended,
      });
    else if (invitees?.has(e.email))
      attendees.push({
        employee: e.name,
        employee_name: e.employee_name,
        attendance: 'Absent',
        custom_minutes_attended: 0,
      });
  }
  return attendees.sort((a, b) => a.employee.localeCompare(b.employee));
}

/** What one run recorded per ERPNext site. */
export interface SiteOutcome {
  /** The Training Event's name on that site; absent when none of its employees took part. */
  trainingEvent?: string;
  present: number;
  absent: number;
}

export interface AttendanceReport {
  status: 'recorded';
  joins: number;
  people: number;
  sites: { us?: SiteOutcome; eu?: SiteOutcome };
  anonymousGuests: number;
  /** E-mail addresses no site's employees have (external guests, typos); the first few only. */
  unmatched: string[];
  unmatchedCount: number;
}

/** How many unmatched addresses a report carries (the count is always complete). */
export const MAX_UNMATCHED_LISTED = 25;

/** The L&D channel's summary of one training. */
export function attendanceAlert(ref: ZoomMeetingRef, report: AttendanceReport): Alert {
  const site = (label: string, s?: SiteOutcome) =>
    s ? [{ name: `${label} site`, value: `${s.present} present, ${s.absent} absent` }] : [];
  const unmatched = report.unmatchedCount
    ? [
        {
          name: 'Not matched to an employee',
          value: `${report.unmatchedCount}: ${report.unmatched.join(', ')}${report.unmatchedCount > report.unmatched.length ? ', …' : ''}`,
        },
      ]
    : [];
  return {
    title: `Training attendance recorded: ${ref.topic}`,
    severity: report.unmatchedCount || report.anonymousGuests ? 'warning' : 'info',
    summary: `${report.people} people (${report.joins} joins) attended the Zoom ${ref.kind} of ${ref.startTime.slice(0, 10)}; attendance is in ERPNext as a Training Event per region.`,
    facts: [
      ...site('US', report.sites.us),
      ...site('EU', report.sites.eu),
      ...(report.anonymousGuests
        ? [{ name: 'Guests without e-mail', value: String(report.anonymousGuests) }]
        : []),
      ...unmatched,
    ],
    connector: 'zoom',
    audience: 'learning',
  };
}
