// The schedule table: what runs when. `applySchedules` creates missing schedules and updates
// existing ones, so it is safe to run on every deploy.
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { CONNECTOR_KEY } from './domain/search-attributes';

export { CONNECTOR_KEY };

export interface ScheduleEntry {
  id: string;
  description: string;
  connector: string;
  workflowType: string;
  input: object;
  cron: string;
  overlap: ScheduleOverlapPolicy;
  /** A fixed zone instead of SCHEDULE_TIME_ZONE (a vendor's day, e.g. Twilio's usage day in UTC). */
  timeZone?: string;
  /** Its run lives for hours (a watch, not a job): nothing waits for it to close. */
  longRunning?: boolean;
}

export const SCHEDULES: ScheduleEntry[] = [
  {
    id: 'readiness-check-daily',
    description: 'Readiness checklist for every configured connector, summary to Slack and Teams',
    connector: 'platform',
    workflowType: 'readinessCheck',
    input: {},
    cron: '0 7 * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // The cursor carries from run to run as the schedule's last completion result: SKIP keeps
    // runs strictly one after another, so each starts where the last successful one ended.
    id: 'servicenow-incident-sync',
    description:
      'ServiceNow incidents and change requests changed since the last run: announce P1/P2 and state changes, signal CAB decisions',
    connector: 'servicenow',
    workflowType: 'servicenowIncidentSync',
    input: {},
    cron: '*/5 * * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    id: 'workday-employee-import-nightly',
    description:
      'Full import of the newest Workday SFTP export into ERPNext (US and EU), drift gate, quarantine',
    connector: 'workday',
    workflowType: 'workdayEmployeeImport',
    input: { mode: 'full' },
    cron: '0 2 * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // Each run starts where the previous one ended (the schedule's last completion result); SKIP
    // keeps runs one after another. Minute 15: clear of the nightly full import's start.
    id: 'workday-employee-delta-hourly',
    description: 'Workers changed in Workday since the last delta (SOAP Get_Workers) into ERPNext',
    connector: 'workday',
    workflowType: 'workdayEmployeeImport',
    input: { mode: 'delta' },
    cron: '15 * * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // After the nightly Workday import (its drift report also starts a refresh on its own).
    id: 'tableau-extract-refresh-daily',
    description: 'Refresh the Tableau extracts, repair schema errors once, alert on failures',
    connector: 'tableau',
    workflowType: 'tableauExtractRefresh',
    input: { reason: 'schedule' },
    cron: '30 4 * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // The sync itself is one long-lived run (it holds the cursor and takes Outbound Messages);
    // each firing wakes it, and starts it again if it is not running.
    id: 'salesforce-account-sync',
    description:
      'Wake the Salesforce Account sync (Accounts → ERPNext Customers, EU/EEA only to the EU site)',
    connector: 'salesforce',
    workflowType: 'salesforceAccountSync',
    input: { trigger: 'schedule' },
    cron: '*/15 * * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // After the nightly Workday import, before the working day: yesterday's invoices included.
    id: 'salesforce-account-intelligence-daily',
    description:
      'ERPNext finance figures to Salesforce Account fields (Bulk API 2.0), refused rows to dlq-salesforce',
    connector: 'salesforce',
    workflowType: 'salesforceAccountIntelligence',
    input: {},
    cron: '0 5 * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // In SCHEDULE_TIME_ZONE, like every schedule: 09:00 where the operators are.
    id: 'daily-digest',
    description:
      'Daily operations digest to #integration-ops: runs, dead letters, remediation, change windows',
    connector: 'platform',
    workflowType: 'dailyDigest',
    input: {},
    cron: '0 9 * * *',
    overlap: ScheduleOverlapPolicy.SKIP,
  },
  {
    // One run per Twilio usage day (UTC): it lives until midnight, so the next waits for it.
    id: 'twilio-cost-guard-daily',
    description:
      "Today's Twilio SMS spend against the daily warning and cap; above the cap only critical SMS go out",
    connector: 'twilio',
    workflowType: 'twilioCostGuard',
    input: {},
    cron: '0 0 * * *',
    overlap: ScheduleOverlapPolicy.BUFFER_ONE,
    timeZone: 'UTC',
    longRunning: true,
  },
];

export function scheduleOptions(entry: ScheduleEntry, taskQueue: string, timeZone: string): ScheduleOptions {
  return {
    scheduleId: entry.id,
    spec: { cronExpressions: [entry.cron], timezone: entry.timeZone ?? timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: entry.workflowType,
      workflowId: entry.id,
      taskQueue,
      args: [entry.input],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: entry.connector }],
      staticSummary: entry.description,
      staticDetails: `Started by schedule ${entry.id} (${entry.cron}, ${timeZone}) with input ${JSON.stringify(entry.input)}.`,
    },
    policies: { overlap: entry.overlap, catchupWindow: '1 hour' },
    memo: { description: entry.description },
  };
}

export async function applySchedules(
  client: Client,
  taskQueue: string,
  timeZone: string,
  entries = SCHEDULES,
): Promise<{ id: string; outcome: 'created' | 'updated' }[]> {
  const results: { id: string; outcome: 'created' | 'updated' }[] = [];
  for (const entry of entries) {
    const options = scheduleOptions(entry, taskQueue, timeZone);
    const handle = client.schedule.getHandle(entry.id);
    try {
      await handle.describe();
      await handle.update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: options.policies,
      }));
      results.push({ id: entry.id, outcome: 'updated' });
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create(options);
      results.push({ id: entry.id, outcome: 'created' });
    }
  }
  return results;
}
