// Recorded state of the Workday simulator: an entry-dated store of worker versions, so a query
// "as of" an entry moment sees exactly what Workday had then (pages of one run stay one snapshot),
// and the transaction log (Updated_From..Updated_Through) is the versions entered in a window.
// Includes a deterministic population generator (same seed → same workers).

/** One worker as the simulator keeps it: the export contract's fields, Workday-shaped names. */
export interface SimWorker {
  employeeId: string;
  legalFirstName: string;
  legalLastName: string;
  /** Preferred first/last name; absent = same as legal (Workday then repeats the legal name). */
  preferredFirstName?: string;
  preferredLastName?: string;
  email: string;
  /** ISO 3166-1 alpha-2 of the business site. */
  country: string;
  department?: string;
  jobTitle?: string;
  managerId?: string;
  /** `YYYY-MM-DD`, optionally with an offset as Workday sends it (`2020-03-15-07:00`). */
  hireDate: string;
  terminationDate?: string;
  status: 'Active' | 'Terminated';
  costCenter?: string;
}

export interface WorkerVersion {
  /** Entry moment (ms): when the change was made in Workday. */
  enteredAt: number;
  /** Effective date `YYYY-MM-DD` of the change. */
  effectiveDate: string;
  worker: SimWorker;
}

export interface WorkdayState {
  /** Employee_ID → versions in entry order. */
  versions: Map<string, WorkerVersion[]>;
}

/** A queued SOAP fault (POST /__admin/soap-faults), answered instead of the next calls. */
export interface QueuedFault {
  faultcode: string;
  faultstring: string;
  remaining: number;
}

export interface WorkdaySimState extends WorkdayState {
  soapFaults: QueuedFault[];
}

/** Entry moment of the default population: before any realistic delta window of a test. */
export const DEFAULT_POPULATION_ENTERED_AT = '2026-01-01T00:00:00Z';
export const DEFAULT_POPULATION_SIZE = 50;

export function createWorkdayState(): WorkdayState {
  const state: WorkdayState = { versions: new Map() };
  for (const worker of generateWorkers({ count: DEFAULT_POPULATION_SIZE, seed: 7 }))
    upsertWorker(state, worker, Date.parse(DEFAULT_POPULATION_ENTERED_AT));
  return state;
}

export function upsertWorker(
  state: WorkdayState,
  worker: SimWorker,
  enteredAt: number,
  effectiveDate = new Date(enteredAt).toISOString().slice(0, 10),
): WorkerVersion {
  const version: WorkerVersion = { enteredAt, effectiveDate, worker: { ...worker } };
  const list = state.versions.get(worker.employeeId) ?? [];
  list.push(version);
  list.sort((a, b) => a.enteredAt - b.enteredAt);
  state.versions.set(worker.employeeId, list);
  return version;
}

/** The worker's latest version entered at or before `asOfEntry` (and effective by `asOfEffective`). */
export function versionAsOf(
  versions: readonly WorkerVersion[],
  asOfEntry: number,
  asOfEffective?: string,
): WorkerVersion | undefined {
  let found: WorkerVersion | undefined;
  for (const v of versions) {
    if (v.enteredAt > asOfEntry) break;
    if (asOfEffective !== undefined && v.effectiveDate > asOfEffective) continue;
    found = v;
  }
  return found;
}

export interface WorkerQuery {
  asOfEntry: number;
  asOfEffective?: string;
  /** Only workers with a version entered in [from, through]. */
  updated?: { from: number; through: number };
  /** Only workers with a version effective in [from, through] (dates `YYYY-MM-DD`). */
  effective?: { from: string; through: string };
  /** Only these Employee_IDs. */
  ids?: readonly string[];
  excludeInactive?: boolean;
}

/** Matching workers as of the query's moment, ordered by Employee_ID (a stable page order). */
export function queryWorkers(state: WorkdayState, q: WorkerQuery): WorkerVersion[] {
  const out: WorkerVersion[] = [];
  const ids = q.ids ? new Set(q.ids) : undefined;
  for (const [id, versions] of state.versions) {
    if (ids && !ids.has(id)) continue;
    const visible = versions.filter((v) => v.enteredAt <= q.asOfEntry);
    if (
      q.updated &&
      !visible.some((v) => v.enteredAt >= q.updated!.from && v.enteredAt <= q.updated!.through)
    )
      continue;
    if (
      q.effective &&
      !visible.some((v) => v.effectiveDate >= q.effective!.from && v.effectiveDate <= q.effective!.through)
    )
      continue;
    const current = versionAsOf(versions, q.asOfEntry, q.asOfEffective);
    if (!current) continue;
    if (q.excludeInactive && current.worker.status !== 'Active') continue;
    out.push(current);
  }
  return out.sort((a, b) => (a.worker.employeeId < b.worker.employeeId ? -1 : 1));
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

const FIRST = ['Ana', 'Jürgen', 'Zoë', 'Liam', 'Sofía', 'Mei', 'Olusegun', 'Anne-Marie', "D'Arcy", 'Łukasz'];
const LAST = ['Silva', 'Müller', "O'Brien", 'Nguyen', 'García Márquez', 'Kowalski', 'Hansen', 'Smith'];
const COUNTRIES = ['US', 'US', 'US', 'DE', 'FR', 'NL', 'IE', 'NO', 'GB', 'IN', 'CA', 'ES', 'PL'];
const DEPARTMENTS = ['Finance', 'Engineering', 'Sales, EMEA', 'People & Culture', 'Legal'];
const TITLES = ['Analyst', 'Engineer', 'Manager', 'Director, "Special Projects"', 'Account Executive'];

/** `count` workers `W<firstId>`… from `seed`; about 5% terminated, some with offsets on dates. */
export function generateWorkers(options: { count: number; seed?: number; firstId?: number }): SimWorker[] {
  const rand = mulberry32(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const firstId = options.firstId ?? 100001;
  const workers: SimWorker[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `W${firstId + i}`;
    const first = pick(FIRST);
    const last = pick(LAST);
    const hireYear = 2000 + Math.floor(rand() * 24);
    const hire = `${hireYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    const terminated = rand() < 0.05;
    const preferred = rand() < 0.2;
    workers.push({
      employeeId: id,
      legalFirstName: first,
      legalLastName: last,
      preferredFirstName: preferred ? first.slice(0, 3) : undefined,
      preferredLastName: preferred ? last : undefined,
      email: `${id.toLowerCase()}@example.com`,
      country: pick(COUNTRIES),
      department: pick(DEPARTMENTS),
      jobTitle: pick(TITLES),
      managerId: i > 0 ? `W${firstId + Math.floor(rand() * i)}` : undefined,
      hireDate: rand() < 0.3 ? `${hire}-07:00` : hire,
      terminationDate: terminated ? `${hireYear + 1}-06-30` : undefined,
      status: terminated ? 'Terminated' : 'Active',
      costCenter: `CC-${100 + Math.floor(rand() * 50)}`,
    });
  }
  return workers;
}
