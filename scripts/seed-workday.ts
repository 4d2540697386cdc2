// Generates Workday worker exports (`workers_YYYYMMDD.csv`) with a fixed seed and the mess real
// exports carry: UTF-8 BOM, CRLF, quoted fields with commas, quotes and line breaks, padded cells,
// offsets on dates, a blank trailing line, and about `invalidRate` invalid rows.
//   tsx scripts/seed-workday.ts --rows 1000 --out data/simulators/sftp/exports [--date 20240131]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const CONTRACT_HEADER = [
  'Employee_ID',
  'Legal_First_Name',
  'Legal_Last_Name',
  'Preferred_Name',
  'Email',
  'Country',
  'Department',
  'Job_Title',
  'Manager_ID',
  'Hire_Date',
  'Termination_Date',
  'Status',
  'Cost_Center',
];

export interface SeedOptions {
  rows: number;
  seed?: number;
  /** Share of rows made invalid on purpose (default 0.01). */
  invalidRate?: number;
  /** Extra columns outside the contract (drift), e.g. ['Badge_Color']. */
  extraColumns?: string[];
  /** Contract columns left out (drift), e.g. ['Email']. */
  dropColumns?: string[];
  /** Default true: BOM, CRLF, blank trailing line. */
  mess?: boolean;
  /** First employee number (default 100001). */
  firstId?: number;
}

export interface SeededExport {
  content: Buffer;
  /** Row numbers (0-based) generated invalid. */
  invalidRows: number[];
  /** Employee ids of valid rows, per region. */
  validIds: { eu: string[]; us: string[] };
  header: string[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ana',
  'Jürgen',
  'Zoë',
  'Liam',
  'Sofía',
  'Mei',
  'Olusegun',
  'Anne-Marie',
  "D'Arcy",
  'Łukasz',
  'Nora',
];
const LAST = ['Silva', 'Müller', "O'Brien", 'Nguyen', 'García Márquez', 'Smith, Jr.', 'Kowalski', 'Hansen'];
const COUNTRIES = ['US', 'US', 'US', 'DE', 'FR', 'NL', 'IE', 'NO', 'GB', 'IN', 'CA', 'ES', 'PL'];
const EU = new Set(['DE', 'FR', 'NL', 'IE', 'NO', 'ES', 'PL']);
const DEPARTMENTS = ['Finance', 'Engineering', 'Sales, EMEA', 'People & Culture', 'Legal'];
const TITLES = ['Analyst', 'Engineer', 'Manager', 'Director, "Special Projects"', 'Account Executive'];

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function generateWorkdayExport(options: SeedOptions): SeededExport {
  const rand = mulberry32(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const invalidRate = options.invalidRate ?? 0.01;
  const mess = options.mess ?? true;
  const nl = mess ? '\r\n' : '\n';
  const drop = new Set(options.dropColumns ?? []);
  const header = [...CONTRACT_HEADER.filter((c) => !drop.has(c)), ...(options.extraColumns ?? [])];
  const firstId = options.firstId ?? 100001;
  const lines: string[] = [header.map(csvCell).join(',')];
  const invalidRows: number[] = [];
  const validIds = { eu: [] as string[], us: [] as string[] };
  const invalidEvery = invalidRate > 0 ? Math.round(1 / invalidRate) : 0;

  for (let i = 0; i < options.rows; i++) {
    const id = `W${firstId + i}`;
    const first = pick(FIRST);
    const last = pick(LAST);
    const country = pick(COUNTRIES);
    const hireYear = 2000 + Math.floor(rand() * 24);
    const hire = `${hireYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    const terminated = rand() < 0.05;
    const record: Record<string, string> = {
      Employee_ID: id,
      Legal_First_Name: first,
      Legal_Last_Name: last,
      // A line break inside a quoted cell: CRLF in some rows, a bare LF in others.
      Preferred_Name: rand() < 0.2 ? `${first.slice(0, 3)}${rand() < 0.5 ? '\r\n' : '\n'}the great` : '',
      Email: `${id.toLowerCase()}@example.com`,
      Country: rand() < 0.1 ? country.toLowerCase() : country,
      Department: pick(DEPARTMENTS),
      Job_Title: pick(TITLES),
      Manager_ID: i > 0 ? `W${firstId + Math.floor(rand() * i)}` : '',
      Hire_Date: rand() < 0.3 ? `${hire}-07:00` : hire,
      Termination_Date: terminated ? `${hireYear + 1}-06-30` : '',
      Status: terminated ? 'Terminated' : 'Active',
      Cost_Center: ` CC-${100 + Math.floor(rand() * 50)} `,
    };
    for (const extra of options.extraColumns ?? []) record[extra] = pick(['red', 'blue', '']);
    const invalid = invalidEvery > 0 && i % invalidEvery === invalidEvery - 1;
    if (invalid) {
      invalidRows.push(i);
      const kind = invalidRows.length % 4;
      if (kind === 0) record.Email = 'not-an-email';
      else if (kind === 1) record.Country = 'XX';
      else if (kind === 2) record.Legal_Last_Name = '';
      else record.Hire_Date = '2023-02-30';
    } else if (
      ![...drop].some(
        (c) =>
          c === 'Employee_ID' ||
          c === 'Legal_First_Name' ||
          c === 'Legal_Last_Name' ||
          c === 'Email' ||
          c === 'Country' ||
          c === 'Hire_Date',
      )
    ) {
      (EU.has(country) ? validIds.eu : validIds.us).push(id);
    }
    lines.push(header.map((h) => csvCell(record[h] ?? '')).join(','));
  }
  const text = lines.join(nl) + nl + (mess ? nl : '');
  const body = Buffer.from(text, 'utf8');
  return {
    content: mess ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body,
    invalidRows,
    validIds,
    header,
  };
}

export function exportFileName(date: Date): string {
  return `workers_${date.toISOString().slice(0, 10).replace(/-/g, '')}.csv`;
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = Number(arg('rows') ?? 1000);
  const out = arg('out') ?? path.join('data', 'simulators', 'sftp', 'exports');
  const date = arg('date');
  const name = date ? `workers_${date}.csv` : exportFileName(new Date());
  const seeded = generateWorkdayExport({
    rows,
    seed: Number(arg('seed') ?? 42),
    extraColumns: arg('extra')?.split(','),
    dropColumns: arg('drop')?.split(','),
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, name), seeded.content);
  console.log(`${path.join(out, name)}: ${rows} rows, ${seeded.invalidRows.length} invalid`);
}

if (require.main === module) main();
