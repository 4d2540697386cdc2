// The Tableau simulator's site: users, projects, data sources with their connections, refresh jobs
// and sessions. Jobs progress with wall-clock time; each data source carries a simulated behaviour
// (how its refreshes end) that tests set through the admin endpoints.
import { randomBytes, randomUUID } from 'node:crypto';

export type RefreshOutcome = 'success' | 'fail' | 'cancel' | 'hang';

export interface RefreshBehavior {
  outcome: RefreshOutcome;
  /** Time a job waits as Pending before it starts. */
  queueMs: number;
  /** Time a started job runs before it ends (never ends for `hang`). */
  runMs: number;
  /** Failure text for `fail`. */
  failureNote: string;
  /** New jobs stay Pending until an admin releases them (`queueMs` then counts from the release), so
   * a test decides when a queued job starts instead of racing a timer. */
  hold: boolean;
}

export interface SchemaError {
  /** The column the extract's query names but the upstream table no longer has. */
  column: string;
  /** When true, updating the connection does not fix it (refreshes keep failing). */
  sticky: boolean;
}

export interface SimConnection {
  id: string;
  type: string;
  serverAddress: string;
  serverPort: string;
  userName: string;
  embedPassword: boolean;
  queryTaggingEnabled: boolean;
  password?: string;
}

export interface SimDataSource {
  id: string;
  name: string;
  contentUrl: string;
  type: string;
  hasExtracts: boolean;
  createdAt: string;
  updatedAt: string;
  projectId: string;
  ownerId: string;
  tags: string[];
  connections: SimConnection[];
  behavior: RefreshBehavior;
  schemaError?: SchemaError;
}

export interface SimJob {
  id: string;
  datasourceId: string;
  createdAtMs: number;
  queueMs: number;
  runMs: number;
  outcome: RefreshOutcome;
  notes?: string;
  cancelledAtMs?: number;
  /** Held jobs wait for a release; `queueMs` counts from `releasedAtMs`. */
  held: boolean;
  releasedAtMs?: number;
}

export interface SimUser {
  id: string;
  name: string;
  fullName: string;
  email: string;
  siteRole: string;
}

export interface SimSession {
  patName: string;
  siteId: string;
  userId: string;
}

export interface TableauState {
  site: { id: string; name: string; contentUrl: string };
  pats: Record<string, { secret: string; userId: string }>;
  users: SimUser[];
  projects: { id: string; name: string }[];
  datasources: SimDataSource[];
  jobs: SimJob[];
  sessions: Map<string, SimSession>;
  signIns: number;
}

export interface TableauSeed {
  siteContentUrl: string;
  patName: string;
  patSecret: string;
}

export const DEFAULT_BEHAVIOR: RefreshBehavior = {
  outcome: 'success',
  queueMs: 20,
  runMs: 150,
  failureNote: 'The query time resource limit (7200 seconds) was exceeded.',
  hold: false,
};

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const ISO_SEED = '2026-01-05T08:00:00Z';

export function createTableauState(seed: TableauSeed): TableauState {
  const bot: SimUser = {
    id: randomUUID(),
    name: 'integrations-bot',
    fullName: 'Integrations Bot',
    email: 'integrations-bot@example.com',
    siteRole: 'SiteAdministratorCreator',
  };
  const ana: SimUser = {
    id: randomUUID(),
    name: 'ana.lopez',
    fullName: 'Ana Lopez',
    email: 'ana.lopez@example.com',
    siteRole: 'Creator',
  };
  const raj: SimUser = {
    id: randomUUID(),
    name: 'raj.patel',
    fullName: 'Raj Patel',
    email: 'raj.patel@example.com',
    siteRole: 'Creator',
  };
  const hr = { id: randomUUID(), name: 'HR Analytics' };
  const finance = { id: randomUUID(), name: 'Finance' };
  const warehouse = (type = 'postgres'): SimConnection => ({
    id: randomUUID(),
    type,
    serverAddress: 'warehouse.example.internal',
    serverPort: type === 'postgres' ? '5432' : '1433',
    userName: 'svc_tableau',
    embedPassword: true,
    queryTaggingEnabled: false,
    password: 'warehouse-password',
  });
  const ds = (
    name: string,
    project: { id: string },
    owner: SimUser,
    tags: string[],
    extra: Partial<SimDataSource> = {},
  ): SimDataSource => ({
    id: randomUUID(),
    name,
    contentUrl: name.replace(/\s+/g, ''),
    type: 'postgres',
    hasExtracts: true,
    createdAt: ISO_SEED,
    updatedAt: ISO_SEED,
    projectId: project.id,
    ownerId: owner.id,
    tags,
    connections: [warehouse()],
    behavior: { ...DEFAULT_BEHAVIOR },
    ...extra,
  });
  return {
    site: { id: randomUUID(), name: 'Acme', contentUrl: seed.siteContentUrl },
    pats: { [seed.patName]: { secret: seed.patSecret, userId: bot.id } },
    users: [bot, ana, raj],
    projects: [hr, finance],
    datasources: [
      ds('Workday Headcount', hr, ana, ['workday', 'hr']),
      ds('Workday Compensation', hr, ana, ['workday', 'hr']),
      ds('Finance GL', finance, raj, ['erp']),
      ds('Live Sales', finance, raj, ['sales'], {
        type: 'sqlserver',
        hasExtracts: false,
        connections: [warehouse('sqlserver')],
      }),
    ],
    jobs: [],
    sessions: new Map(),
    signIns: 0,
  };
}

export type JobStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'Cancelled';

export interface JobView {
  status: JobStatus;
  progress: number;
  startedAtMs?: number;
  completedAtMs?: number;
  /** 0 success, 1 failed, 2 cancelled; absent while the job runs. */
  finishCode?: 0 | 1 | 2;
  notes?: string;
}

/** Where a job stands at `now`: Pending, then InProgress with progress, then its planned end. */
export function viewJob(job: SimJob, now: number): JobView {
  const queuedFrom = job.held ? (job.releasedAtMs ?? Infinity) : job.createdAtMs;
  const startsAt = queuedFrom + job.queueMs;
  const endsAt = startsAt + job.runMs;
  const at = job.cancelledAtMs !== undefined ? Math.min(now, job.cancelledAtMs) : now;
  const started = at >= startsAt;
  const progressAt = (t: number) =>
    job.outcome === 'hang'
      ? Math.min(40, Math.floor(((t - startsAt) / Math.max(1, job.runMs)) * 40))
      : Math.min(99, Math.floor(((t - startsAt) / Math.max(1, job.runMs)) * 100));
  if (job.cancelledAtMs !== undefined && (job.outcome === 'hang' || job.cancelledAtMs < endsAt)) {
    return {
      status: 'Cancelled',
      progress: started ? progressAt(at) : 0,
      startedAtMs: started ? startsAt : undefined,
      completedAtMs: job.cancelledAtMs,
      finishCode: 2,
      notes: 'Operation cancelled by the user.',
    };
  }
  if (!started) return { status: 'Pending', progress: 0 };
  if (job.outcome === 'hang' || at < endsAt)
    return { status: 'InProgress', progress: progressAt(at), startedAtMs: startsAt };
  const done = { progress: 100, startedAtMs: startsAt, completedAtMs: endsAt };
  switch (job.outcome) {
    case 'success':
      return { ...done, status: 'Success', finishCode: 0 };
    case 'fail':
      return { ...done, status: 'Failed', finishCode: 1, notes: job.notes };
    case 'cancel':
      return {
        ...done,
        status: 'Cancelled',
        finishCode: 2,
        notes: 'TableauCancelException: Operation cancelled',
      };
  }
}
