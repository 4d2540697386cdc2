// Zoom training attendance in one activity, so no participant list ever enters the history: read
// every page of the participant report (answering `not_ready` while Zoom has not made it), tally
// people by e-mail, match them to each region's active ERPNext employees whose country is in that
// region, and upsert one Training Event per site holding only that site's employees (EU employees
// only on the EU site, even when a stale record of theirs is on the US site). Keyed by the meeting
// UUID, so a retried attempt or a re-sent event updates the same Training Event.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Region } from '../domain/employee';
import { REGIONS, erpnextConnectorFor, regionFor } from '../domain/employee';
import {
  MAX_UNMATCHED_LISTED,
  siteAttendees,
  tallyAttendance,
  type AttendanceReport,
  type SiteOutcome,
  type ZoomMeetingRef,
} from '../domain/zoom';
import type { ErpnextClient } from '../vendors/erpnext';
import type { ZoomClient } from '../vendors/zoom/client';
import { vendorCall } from './shared/failures';

export interface ZoomDeps {
  client?: ZoomClient;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
}

export type AttendanceOutcome = { status: 'not_ready' } | AttendanceReport;

const TRAINING_EVENT = 'Training Event';
/** Frappe's `in` filter with a bounded list per request. */
const LOOKUP_CHUNK = 200;

interface EmployeeRow {
  name: string;
  employee_name: string;
  company_email: string;
  custom_country?: string | null;
  status?: string;
}

interface SiteEmployee {
  name: string;
  employee_name: string;
  email: string;
}

export function createZoomActivities(deps: ZoomDeps) {
  return {
    async recordZoomAttendance(ref: ZoomMeetingRef): Promise<AttendanceOutcome> {
      const zoom = deps.client;
      if (!zoom)
        throw ApplicationFailure.nonRetryable(
          'Zoom is not configured on this worker (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)',
          'NotConfigured',
        );
      const joins = await vendorCall('zoom', 'report.participants', () =>
        zoom.participantReport(ref.kind, ref.meetingUuid, (page) => Context.current().heartbeat({ page })),
      );
      if (!joins) return { status: 'not_ready' };
      const invited = await vendorCall('zoom', 'registrants', () =>
        zoom.registrants(ref.kind, ref.meetingId),
      );
      const invitees = invited && new Set(invited.map((e) => e.trim().toLowerCase()));
      const tally = tallyAttendance(joins);
      const wanted = [...new Set([...tally.people.map((p) => p.email), ...(invitees ?? [])])];

      const sites: AttendanceReport['sites'] = {};
      const matched = new Set<string>();
      for (const region of REGIONS) {
        const client = deps.erpnext?.[region];
        if (!client) continue;
        Context.current().heartbeat({ site: region });
        const employees = await findEmployees(client, region, wanted);
        for (const e of employees) matched.add(e.email);
        sites[region] = await writeTrainingEvent(
          client,
          region,
          ref,
          siteAttendees(employees, tally, invitees),
        );
      }
      const unmatched = tally.people.map((p) => p.email).filter((e) => !matched.has(e));
      return {
        status: 'recorded',
        joins: tally.joins,
        people: tally.people.length,
        sites,
        anonymousGuests: tally.anonymousGuests,
        unmatched: unmatched.slice(0, MAX_UNMATCHED_LISTED),
        unmatchedCount: unmatched.length,
      };
    },
  };
}

/**
 * The site's active employees with these e-mails whose country belongs to the site's region: a
 * record left on the wrong site (an EU employee's stale or not-yet-moved US record) or of someone
 * who left is not theirs to hold, so their attendance is never written there.
 */
async function findEmployees(
  client: ErpnextClient,
  region: Region,
  emails: string[],
): Promise<SiteEmployee[]> {
  const found: SiteEmployee[] = [];
  for (let i = 0; i < emails.length; i += LOOKUP_CHUNK) {
    const rows = await vendorCall(erpnextConnectorFor(region), 'Employee.list', () =>
      client.list<EmployeeRow>('Employee', {
        filters: [['company_email', 'in', emails.slice(i, i + LOOKUP_CHUNK)]],
        fields: ['name', 'employee_name', 'company_email', 'custom_country', 'status'],
        pageLength: 0,
      }),
    );
    for (const r of rows)
      if (r.status === 'Active' && r.custom_country && regionFor(r.custom_country) === region)
        found.push({ name: r.name, employee_name: r.employee_name, email: r.company_email.toLowerCase() });
  }
  return found;
}

/** Upserts the site's Training Event for this meeting (found by its Zoom UUID); none without attendees. */
async function writeTrainingEvent(
  client: ErpnextClient,
  region: Region,
  ref: ZoomMeetingRef,
  employees: ReturnType<typeof siteAttendees>,
): Promise<SiteOutcome> {
  const present = employees.filter((e) => e.attendance === 'Present').length;
  const outcome: SiteOutcome = { present, absent: employees.length - present };
  if (employees.length === 0) return outcome;
  const connector = erpnextConnectorFor(region);
  const [existing] = await vendorCall(connector, 'TrainingEvent.list', () =>
    client.list<{ name: string }>(TRAINING_EVENT, {
      filters: [['custom_zoom_meeting_uuid', '=', ref.meetingUuid]],
      fields: ['name'],
      pageLength: 1,
    }),
  );
  const doc = {
    event_name: `${ref.topic} (${ref.startTime.slice(0, 10)})`,
    type: 'Seminar',
    event_status: 'Completed',
    start_time: client.siteTime(Date.parse(ref.startTime)),
    end_time: client.siteTime(Date.parse(ref.endTime)),
    custom_zoom_meeting_uuid: ref.meetingUuid,
    custom_zoom_meeting_id: ref.meetingId,
    employees,
  };
  const key = `zoom:${ref.meetingUuid}`;
  if (existing) {
    await vendorCall(
      connector,
      'TrainingEvent.update',
      () =>
        client.request(
          'PUT',
          `/api/resource/${encodeURIComponent(TRAINING_EVENT)}/${encodeURIComponent(existing.name)}`,
          doc,
        ),
      { audit: key },
    );
    return { ...outcome, trainingEvent: existing.name };
  }
  const name = await vendorCall(connector, 'TrainingEvent.insert', () => client.insert(TRAINING_EVENT, doc), {
    audit: key,
  });
  return { ...outcome, trainingEvent: name };
}
