// The Workday activities: the SFTP full import (export inspection, batches), the repeated-id scan
// of an export, the SOAP delta pages, and the lookup of the last delta's cursor.
import { createWorkdayCursorActivities } from './cursor';
import { createWorkdayDeltaActivities, type WorkdayDeltaDeps } from './delta';
import { createWorkdayFullImportActivities, type WorkdayDeps } from './fullImport';
import { createWorkdayScanActivities } from './scan';

export type { WorkdayDeltaDeps, WorkdayDeps };

export function createWorkdayActivities(deps: { full: WorkdayDeps; delta: WorkdayDeltaDeps }) {
  return {
    ...createWorkdayFullImportActivities(deps.full),
    ...createWorkdayScanActivities(deps.full),
    ...createWorkdayDeltaActivities(deps.delta),
    ...createWorkdayCursorActivities(),
  };
}
