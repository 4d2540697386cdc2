// Tableau Server / Cloud REST client (JSON). Signs in with a personal access token and keeps the
// session inside this object: the token never leaves the worker. A PAT holds one session at a
// time, so one client (one session) is shared by every run in the worker; when the session is lost
// (401002: expired, or ended by another sign-in with the same PAT) the client signs in again once
// and repeats the call. Temporal owns every other retry.
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { VendorError, kindForStatus } from './errors';
import { fetchDispatcher, httpError, vendorFetch } from './https';

export interface TableauClientOptions {
  /** e.g. https://tableau.example.com (no /api). */
  serverUrl: string;
  apiVersion: string;
  /** The site's contentUrl; '' is the Default site on Server. */
  siteContentUrl: string;
  patName: string;
  patSecret: string;
  extraCaPem?: string;
  timeoutMs?: number;
}

export interface TableauSite {
  siteId: string;
  contentUrl: string;
  userId: string;
}

export interface TableauDataSource {
  id: string;
  name: string;
  projectName: string;
  ownerId: string;
  hasExtracts: boolean;
  tags: string[];
  updatedAt: string;
}

export interface TableauJob {
  id: string;
  progress: number;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** 0 success, 1 failed, 2 cancelled (3 "Completed" counts as success); absent while running. */
  finishCode?: number;
  notes?: string;
  datasourceId?: string;
}

export interface TableauConnection {
  id: string;
  type: string;
  serverAddress?: string;
  serverPort?: string;
  userName?: string;
}

export interface TableauUser {
  id: string;
  name: string;
  fullName?: string;
}

export interface DataSourceSelection {
  names?: string[];
  projects?: string[];
  tags?: string[];
}

/** Tableau error codes the callers act on. */
export const TABLEAU_CODES = {
  signInError: '401001',
  sessionInvalid: '401002',
  liveSource: '409090',
  alreadyQueued: '409093',
} as const;

// JSON responses carry numbers as strings (and booleans sometimes as strings): coerce.
const bool = z.union([z.boolean(), z.string().transform((v) => v === 'true')]);
const num = z.coerce.number();
const errorSchema = z.object({
  error: z.object({ code: z.coerce.string(), summary: z.string().optional(), detail: z.string().optional() }),
});
const signInSchema = z.object({
  credentials: z.object({
    token: z.string(),
    site: z.object({ id: z.string(), contentUrl: z.string() }),
    user: z.object({ id: z.string() }),
  }),
});
const paginationSchema = z.object({ pageNumber: num, pageSize: num, totalAvailable: num });
const dataSourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  hasExtracts: bool.optional(),
  updatedAt: z.string().optional(),
  project: z.object({ name: z.string().optional() }).optional(),
  owner: z.object({ id: z.string() }).optional(),
  tags: z.object({ tag: z.array(z.object({ label: z.string() })).optional() }).optional(),
});
const dataSourcesSchema = z.object({
  pagination: paginationSchema,
  datasources: z.object({ datasource: z.array(dataSourceSchema).optional() }).optional(),
});
const jobSchema = z.object({
  job: z.object({
    id: z.string(),
    progress: num.optional(),
    createdAt: z.string().optional(),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
    finishCode: num.optional(),
    extractRefreshJob: z
      .object({
        notes: z.string().optional(),
        datasource: z.object({ id: z.string() }).optional(),
      })
      .optional(),
  }),
});
const backgroundJobsSchema = z.object({
  pagination: paginationSchema,
  backgroundJobs: z
    .object({
      backgroundJob: z
        .array(
          z.object({
            id: z.string(),
            status: z.string(),
            title: z.string().optional(),
            createdAt: z.string(),
          }),
        )
        .optional(),
    })
    .optional(),
});
const connectionSchema = z.object({
  id: z.string(),
  type: z.string(),
  serverAddress: z.string().optional(),
  serverPort: z.coerce.string().optional(),
  userName: z.string().optional(),
});
const connectionsSchema = z.object({
  connections: z.object({ connection: z.array(connectionSchema).optional() }).optional(),
});
const userSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), fullName: z.string().optional() }),
});

interface Session extends TableauSite {
  token: string;
}

/** Builds a Tableau filter value list: `name:in:[a,b]`. Commas and brackets cannot be escaped. */
function inFilter(field: string, values: string[] | undefined): string | undefined {
  if (!values?.length) return undefined;
  const bad = values.find((v) => /[,[\]]/.test(v));
  if (bad !== undefined)
    throw new VendorError('tableau', 'invalid', `filter value ${JSON.stringify(bad)} contains , [ or ]`);
  return values.length === 1 ? `${field}:eq:${values[0]}` : `${field}:in:[${values.join(',')}]`;
}

export class TableauClient {
  private readonly dispatcher: Dispatcher;
  private session?: Session;
  private signingIn?: Promise<Session>;
  /** Sign-ins this client made (for the run report and tests). */
  signIns = 0;

  constructor(private readonly options: TableauClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  private get apiBase(): string {
    return `${this.options.serverUrl.replace(/\/+$/, '')}/api/${this.options.apiVersion}`;
  }

  /** Signs in with the PAT; concurrent callers share one sign-in. Replaces the current session. */
  signIn(): Promise<TableauSite> {
    this.signingIn ??= this.doSignIn().finally(() => {
      this.signingIn = undefined;
    });
    return this.signingIn.then(({ siteId, contentUrl, userId }) => ({ siteId, contentUrl, userId }));
  }

  /** The current session's site, signing in only when there is none. */
  async ensureSignedIn(): Promise<TableauSite> {
    if (this.session) {
      const { siteId, contentUrl, userId } = this.session;
      return { siteId, contentUrl, userId };
    }
    return this.signIn();
  }

  private async doSignIn(): Promise<Session> {
    const body = await this.send('POST', `${this.apiBase}/auth/signin`, undefined, {
      credentials: {
        personalAccessTokenName: this.options.patName,
        personalAccessTokenSecret: this.options.patSecret,
        site: { contentUrl: this.options.siteContentUrl },
      },
    });
    const { credentials } = signInSchema.parse(body);
    this.session = {
      token: credentials.token,
      siteId: credentials.site.id,
      contentUrl: credentials.site.contentUrl,
      userId: credentials.user.id,
    };
    this.signIns += 1;
    return this.session;
  }

  async signOut(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    await this.send('POST', `${this.apiBase}/auth/signout`, session.token);
  }

  /** A call on the site: signs in if needed, and once more if the session was lost. */
  private async siteCall(method: string, path: string, json?: unknown): Promise<unknown> {
    const session = this.session ?? (await this.signingIn) ?? (await this.doSignInShared());
    try {
      return await this.send(method, `${this.apiBase}/sites/${session.siteId}${path}`, session.token, json);
    } catch (err) {
      if (!(err instanceof VendorError) || err.details.code !== TABLEAU_CODES.sessionInvalid) throw err;
      // Only the first caller that saw this token fail signs in again; the others reuse its session.
      if (this.session?.token === session.token) this.session = undefined;
      const fresh = this.session ?? (await this.doSignInShared());
      return this.send(method, `${this.apiBase}/sites/${fresh.siteId}${path}`, fresh.token, json);
    }
  }

  private async doSignInShared(): Promise<Session> {
    await this.signIn();
    if (!this.session) throw new VendorError('tableau', 'unavailable', 'sign-in returned no session');
    return this.session;
  }

  /** Every data source matching the selection (all filters AND-ed), following the pages. */
  async listDataSources(selection: DataSourceSelection = {}, pageSize = 100): Promise<TableauDataSource[]> {
    const filter = [
      inFilter('name', selection.names),
      inFilter('projectName', selection.projects),
      inFilter('tags', selection.tags),
    ]
      .filter(Boolean)
      .join(',');
    const found: TableauDataSource[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const query = new URLSearchParams({ pageSize: String(pageSize), pageNumber: String(pageNumber) });
      if (filter) query.set('filter', filter);
      query.set('sort', 'name:asc');
      const body = dataSourcesSchema.parse(await this.siteCall('GET', `/datasources?${query}`));
      const items = body.datasources?.datasource ?? [];
      for (const d of items)
        found.push({
          id: d.id,
          name: d.name,
          projectName: d.project?.name ?? '',
          ownerId: d.owner?.id ?? '',
          hasExtracts: d.hasExtracts ?? false,
          tags: d.tags?.tag?.map((t) => t.label) ?? [],
          updatedAt: d.updatedAt ?? '',
        });
      if (items.length === 0 || pageNumber * body.pagination.pageSize >= body.pagination.totalAvailable)
        return found;
    }
  }

  /** Starts an extract refresh; a duplicate throws VendorError code 409093. */
  async refreshDataSource(datasourceId: string): Promise<TableauJob> {
    const body = await this.siteCall('POST', `/datasources/${encodeURIComponent(datasourceId)}/refresh`, {});
    return toJob(jobSchema.parse(body));
  }

  /** The refresh job queued or running for a data source, found by its title in the jobs list. */
  async findActiveRefreshJob(datasourceName: string): Promise<string | undefined> {
    const query = new URLSearchParams({
      filter: 'jobType:eq:refresh_extracts,status:in:[Pending,InProgress]',
      sort: 'createdAt:desc',
      pageSize: '1000',
    });
    const body = backgroundJobsSchema.parse(await this.siteCall('GET', `/jobs?${query}`));
    return body.backgroundJobs?.backgroundJob?.find((j) => j.title === datasourceName)?.id;
  }

  async getJob(jobId: string): Promise<TableauJob> {
    return toJob(jobSchema.parse(await this.siteCall('GET', `/jobs/${encodeURIComponent(jobId)}`)));
  }

  async cancelJob(jobId: string): Promise<TableauJob> {
    return toJob(jobSchema.parse(await this.siteCall('PUT', `/jobs/${encodeURIComponent(jobId)}`, {})));
  }

  async listConnections(datasourceId: string): Promise<TableauConnection[]> {
    const body = connectionsSchema.parse(
      await this.siteCall('GET', `/datasources/${encodeURIComponent(datasourceId)}/connections`),
    );
    return body.connections?.connection ?? [];
  }

  /** Update Connection: only the given attributes change; passwords are never read back. */
  async updateConnection(
    datasourceId: string,
    connectionId: string,
    attributes: { serverAddress?: string; serverPort?: string; userName?: string },
  ): Promise<TableauConnection> {
    const body = await this.siteCall(
      'PUT',
      `/datasources/${encodeURIComponent(datasourceId)}/connections/${encodeURIComponent(connectionId)}`,
      { connection: attributes },
    );
    return connectionSchema.parse((body as { connection?: unknown }).connection);
  }

  async getUser(userId: string): Promise<TableauUser> {
    const { user } = userSchema.parse(await this.siteCall('GET', `/users/${encodeURIComponent(userId)}`));
    return user;
  }

  private async send(method: string, url: string, token?: string, json?: unknown): Promise<unknown> {
    const { response, text } = await vendorFetch('tableau', url, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { 'x-tableau-auth': token } : {}),
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      timeoutMs: this.options.timeoutMs ?? 30_000,
      dispatcher: this.dispatcher,
    });
    if (!response.ok) throw tableauError(response, text);
    return text ? (JSON.parse(text) as unknown) : {};
  }
}

function toJob(body: z.infer<typeof jobSchema>): TableauJob {
  const { job } = body;
  return {
    id: job.id,
    progress: job.progress ?? 0,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    finishCode: job.finishCode,
    notes: job.extractRefreshJob?.notes,
    datasourceId: job.extractRefreshJob?.datasource?.id,
  };
}

function tableauError(response: Response, text: string): VendorError {
  let code: string | undefined;
  let message = `HTTP ${response.status}`;
  try {
    const parsed = errorSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.error.code;
      message += ` ${code} ${parsed.data.error.summary ?? ''}: ${parsed.data.error.detail ?? ''}`.trimEnd();
    }
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  // 409093 (already queued) and 409090 (live source) are decisions for the caller, not failures of
  // the request; 404 is a wrong id. All are 'invalid' here; callers look at the code.
  const kind = response.status === 429 || code === '429000' ? 'rate-limited' : kindForStatus(response.status);
  return httpError('tableau', response, message, { kind, code });
}
