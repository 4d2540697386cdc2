// Tableau activities. The session (the PAT's token) lives in the worker's TableauClient, shared by
// every run on this worker; workflows see only ids, names, states and counts, never a token.
import { ApplicationFailure, log } from '@temporalio/activity';
import { jobState, type DataSourceSelector, type JobState } from '../domain/tableau';
import { VendorError } from '../vendors/errors';
import { TABLEAU_CODES, type TableauClient, type TableauSite } from '../vendors/tableau';
import { vendorCall } from './shared/failures';

export interface TableauDeps {
  client?: TableauClient;
}

export interface DataSourceRef {
  id: string;
  name: string;
  project: string;
  ownerId: string;
  hasExtracts: boolean;
}

export type RefreshStart =
  | { kind: 'started'; jobId: string }
  /** 409093: a refresh for this data source was already queued; this is its job. */
  | { kind: 'joined'; jobId: string }
  /** 409090: a live connection has no extract to refresh. */
  | { kind: 'live'; detail: string };

export interface JobStatus {
  state: JobState;
  progress: number;
  notes?: string;
  completedAt?: string;
}

const CONNECTOR = 'tableau';

export function createTableauActivities(deps: TableauDeps) {
  const client = (): TableauClient => {
    if (!deps.client)
      throw ApplicationFailure.nonRetryable(
        'Tableau is not configured: set TABLEAU_SERVER_URL, TABLEAU_SITE, TABLEAU_PAT_NAME, TABLEAU_PAT_SECRET',
        'NotConfigured',
      );
    return deps.client;
  };

  return {
    /** Makes sure the worker holds a session (signing in only when it has none). */
    async tableauSignIn(): Promise<TableauSite> {
      const c = client();
      return vendorCall(CONNECTOR, 'auth.signin', () => c.ensureSignedIn());
    },

    async tableauFindDataSources(selector: DataSourceSelector): Promise<DataSourceRef[]> {
      const c = client();
      const found = await vendorCall(CONNECTOR, 'datasources.list', () => c.listDataSources(selector));
      log.info('Tableau data sources selected', { count: found.length });
      return found.map((d) => ({
        id: d.id,
        name: d.name,
        project: d.projectName,
        ownerId: d.ownerId,
        hasExtracts: d.hasExtracts,
      }));
    },

    /** Starts a refresh, or joins the one already queued (409093). */
    async tableauStartRefresh(ds: { id: string; name: string }): Promise<RefreshStart> {
      const c = client();
      return vendorCall(
        CONNECTOR,
        'datasources.refresh',
        async () => {
          try {
            const job = await c.refreshDataSource(ds.id);
            log.info('Tableau refresh started', { datasource: ds.name, jobId: job.id });
            return { kind: 'started', jobId: job.id } as const;
          } catch (err) {
            if (!(err instanceof VendorError)) throw err;
            if (err.details.code === TABLEAU_CODES.liveSource)
              return { kind: 'live', detail: err.message } as const;
            if (err.details.code !== TABLEAU_CODES.alreadyQueued) throw err;
            const jobId = await c.findActiveRefreshJob(ds.name);
            if (!jobId)
              // The queued job ended between the two calls: a retry will queue a fresh refresh.
              throw new VendorError(
                CONNECTOR,
                'unavailable',
                `${err.message} (the queued job has since ended)`,
                {
                  code: err.details.code,
                },
              );
            log.info('Tableau refresh already queued: joining it', { datasource: ds.name, jobId });
            return { kind: 'joined', jobId } as const;
          }
        },
        { audit: ds.id },
      );
    },

    async tableauJobStatus(jobId: string): Promise<JobStatus> {
      const c = client();
      const job = await vendorCall(CONNECTOR, 'jobs.get', () => c.getJob(jobId));
      return {
        state: jobState(job.finishCode),
        progress: job.progress,
        notes: job.notes,
        completedAt: job.completedAt,
      };
    },

    async tableauCancelJob(jobId: string): Promise<JobStatus> {
      const c = client();
      const job = await vendorCall(CONNECTOR, 'jobs.cancel', () => c.cancelJob(jobId), { audit: jobId });
      log.warn('Tableau refresh job cancelled', { jobId });
      return {
        state: jobState(job.finishCode),
        progress: job.progress,
        notes: job.notes,
        completedAt: job.completedAt,
      };
    },

    /**
     * After an upstream schema change: saves each connection again with its own attributes, which
     * makes Tableau re-read the upstream metadata. The REST API cannot edit a data source's fields;
     * this is as far as it goes. Idempotent.
     */
    async tableauUpdateConnections(datasourceId: string): Promise<{ updated: number }> {
      const c = client();
      const connections = await vendorCall(CONNECTOR, 'connections.list', () =>
        c.listConnections(datasourceId),
      );
      for (const conn of connections) {
        await vendorCall(
          CONNECTOR,
          'connections.update',
          () =>
            c.updateConnection(datasourceId, conn.id, {
              serverAddress: conn.serverAddress,
              serverPort: conn.serverPort,
              userName: conn.userName,
            }),
          { audit: `${datasourceId}/${conn.id}` },
        );
      }
      log.info('Tableau connections updated after a schema error', {
        datasourceId,
        count: connections.length,
      });
      return { updated: connections.length };
    },

    /** The owner's display name for alerts ("Ana Lopez (ana.lopez)"). */
    async tableauOwner(ownerId: string): Promise<string> {
      const c = client();
      const user = await vendorCall(CONNECTOR, 'users.get', () => c.getUser(ownerId));
      return user.fullName ? `${user.fullName} (${user.name})` : user.name;
    },
  };
}
