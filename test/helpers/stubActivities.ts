// Activities that answer at once without any vendor, for tests of what workflows do around them:
// alerts (and SMS pages) are skipped, ServiceNow is not configured, the probed certificate is not the renewed one,
// and the Workday export lacks a required column (the import waits for a driftDecision).
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import { createBreakerActivities } from '../../src/activities/breaker';

const notConfigured = async () => {
  throw ApplicationFailure.nonRetryable('ServiceNow is not configured', 'NotConfigured');
};

export const stubActivities = {
  // The real breaker: a permit update on the test server's `breaker-<connector>` workflow.
  ...createBreakerActivities({}),
  notifySlack: async () => ({ channel: 'slack', status: 'skipped' }),
  notifyTeams: async () => ({ channel: 'teams', status: 'skipped' }),
  emailAlert: async () => ({ status: 'skipped' }),
  emailRole: async () => ({ status: 'skipped' }),
  sendSmsPage: async () => ({
    status: 'skipped',
    reason: 'test stub',
    messages: [],
    undeliveredAfterMs: 600_000,
  }),
  servicenowUpsertIncident: notConfigured,
  servicenowUpsertChangeRequest: notConfigured,
  probeCertificate: async () => ({
    trusted: false,
    trustError: 'test stub',
    validTo: '2020-01-01T00:00:00.000Z',
    fingerprint256: '',
  }),
  workdayInspectExport: async () => ({
    file: 'workers.csv',
    size: 0,
    header: [],
    dataOffset: 0,
    dataLine: 2,
    duplicateColumns: [],
    drift: { unknownColumns: [], missingRequired: ['Employee_ID'], missingOptional: [] },
  }),
} satisfies Partial<Activities>;
