// The 100,000-row Workday export the cluster tests import, and what ERPNext holds afterwards.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateWorkdayExport, type SeededExport } from '../../scripts/seed-workday';
import { admin, type Simulators } from '../helpers/simulators';

export const ROWS = 100_000;
export const BATCH = 1000;
export const FIRST_ID = 700001;
/** Where the figures docs/deployment.md quotes are written (data/ is untracked state). */
export const FIGURES_DIR = path.join(__dirname, '..', '..', 'data', 'figures');

/** Empties both ERPNext sites and puts the export (the newest file) on the SFTP server. */
export async function freshImport(sims: Simulators): Promise<SeededExport & { caPem: string }> {
  const caPem = readFileSync(sims.caFile, 'utf8');
  for (const sim of [sims.erpnext, sims.erpnextEu]) await admin(sim.url, 'reset', {}, caPem);
  const seeded = generateWorkdayExport({ rows: ROWS, seed: 2100, invalidRate: 0.01, firstId: FIRST_ID });
  mkdirSync(path.join(sims.sftp.rootDir, 'exports'), { recursive: true });
  writeFileSync(path.join(sims.sftp.rootDir, 'exports', 'workers_20991231.csv'), seeded.content);
  return { ...seeded, caPem };
}

export function writeFigures(name: string, figures: object): void {
  console.log(`      ${name}: ${JSON.stringify(figures)}`);
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(path.join(FIGURES_DIR, `${name}.json`), JSON.stringify(figures, null, 2));
}
