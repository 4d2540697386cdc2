// Bench-only workflow for the naive design: inspect the export, then one activity per record
// (continue-as-new every RECORDS_PER_RUN records). Compared against workdayEmployeeImport.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../src/activities';
import type { NaiveActivities } from './naiveActivity';

export interface NaiveImportInput {
  file: string;
  resume?: { header: string[]; offset: number; line: number; counts: Record<string, number> };
}

const RECORDS_PER_RUN = 500;

const acts = proxyActivities<Activities & NaiveActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
});

export async function benchNaiveImport(input: NaiveImportInput): Promise<Record<string, number>> {
  let resume = input.resume;
  if (!resume) {
    const inspection = await acts.workdayInspectExport({ file: input.file });
    resume = {
      header: inspection.header,
      offset: inspection.dataOffset,
      line: inspection.dataLine,
      counts: {},
    };
  }
  const { header, counts } = resume;
  let { offset, line } = resume;
  for (let i = 0; i < RECORDS_PER_RUN; i++) {
    const r = await acts.benchNaiveImportRecord({ file: input.file, header, offset, line });
    if (r.done) return counts;
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    offset = r.nextOffset;
    line = r.nextLine;
  }
  return await continueAsNew<typeof benchNaiveImport>({
    file: input.file,
    resume: { header, offset, line, counts },
  });
}
