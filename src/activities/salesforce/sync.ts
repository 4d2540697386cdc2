// Activities of the Account sync: the size of a delta, one keyset page over REST (`queryAll` with
// LIMIT, its `nextRecordsUrl` followed), or a Bulk API 2.0 query job read one `Sforce-Locator` page
// per call; each page is written to ERPNext before its position is returned. Every result carries
// the allocation the last answer reported, so the workflow can park before the reserve is touched.
import { Context } from '@temporalio/activity';
import { parse } from 'csv-parse/sync';
import type { Region } from '../../domain/employee';
import {
  accountDeltaSoql,
  countSoql,
  laterCursor,
  type ApiUsage,
  type SalesforceAccount,
  type SalesforceCursor,
} from '../../domain/salesforce';
import type { ErpnextClient } from '../../vendors/erpnext';
import type { SalesforceClient } from '../../vendors/salesforce/client';
import { notConfigured, sfCall } from './calls';
import { writeAccounts, type CustomerCounts } from './customers';

export interface SalesforceSyncDeps {
  client?: SalesforceClient;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
}

export interface DeltaRequest {
  cursor?: SalesforceCursor;
  /** Only Accounts stamped before this (ISO 8601) are read. */
  horizon: string;
}

export interface PageResult {
  read: number;
  counts: CustomerCounts;
  /** The last position written (unchanged when the page was empty). */
  cursor?: SalesforceCursor;
  usage?: ApiUsage;
}

function accountFromCsv(row: Record<string, string>): SalesforceAccount {
  return {
    Id: row.Id ?? '',
    Name: row.Name ?? '',
    BillingCountryCode: row.BillingCountryCode || null,
    SystemModstamp: row.SystemModstamp ?? '',
    IsDeleted: row.IsDeleted === 'true',
  };
}

function lastOf(accounts: SalesforceAccount[], start?: SalesforceCursor): SalesforceCursor | undefined {
  let cursor = start;
  for (const a of accounts) cursor = laterCursor(cursor, { systemModstamp: a.SystemModstamp, id: a.Id });
  return cursor;
}

export function createSalesforceSyncActivities(deps: SalesforceSyncDeps) {
  const sf = () => {
    if (!deps.client) throw notConfigured();
    return deps.client;
  };
  return {
    /** How many Accounts (deleted ones included) changed after the cursor. */
    async salesforceDeltaSize(request: DeltaRequest): Promise<{ count: number; usage?: ApiUsage }> {
      const client = sf();
      const page = await sfCall('query.count', () =>
        client.query(countSoql(request.cursor, request.horizon), { all: true }),
      );
      return { count: page.totalSize, usage: client.usage };
    },

    /** One keyset page over REST: up to `limit` Accounts after the cursor, written to ERPNext. */
    async salesforceSyncPage(
      request: DeltaRequest & { limit: number; batchSize?: number },
    ): Promise<PageResult> {
      const client = sf();
      const soql = accountDeltaSoql(request.cursor, request.horizon, request.limit);
      let page = await sfCall('queryAll', () =>
        client.query<SalesforceAccount>(soql, { all: true, batchSize: request.batchSize }),
      );
      const accounts = [...page.records];
      while (!page.done && page.nextRecordsUrl) {
        const next = page.nextRecordsUrl;
        page = await sfCall('queryMore', () => client.queryMore<SalesforceAccount>(next));
        accounts.push(...page.records);
        Context.current().heartbeat(accounts.length);
      }
      const counts = await writeAccounts(deps.erpnext ?? {}, accounts);
      return { read: accounts.length, counts, cursor: lastOf(accounts, request.cursor), usage: client.usage };
    },

    /** Starts a Bulk 2.0 queryAll job over the delta; its id is all the workflow keeps. */
    async salesforceBulkQueryStart(request: DeltaRequest): Promise<{ jobId: string; usage?: ApiUsage }> {
      const client = sf();
      const job = await sfCall('jobs.query.create', () =>
        client.createQueryJob(accountDeltaSoql(request.cursor, request.horizon), 'queryAll'),
      );
      return { jobId: job.id, usage: client.usage };
    },

    async salesforceBulkJobState(request: { kind: 'query' | 'ingest'; jobId: string }): Promise<{
      state: string;
      processed: number;
      failed: number;
      errorMessage?: string;
      usage?: ApiUsage;
    }> {
      const client = sf();
      const job = await sfCall(`jobs.${request.kind}.get`, () =>
        request.kind === 'query' ? client.queryJob(request.jobId) : client.ingestJob(request.jobId),
      );
      return {
        state: job.state,
        processed: job.numberRecordsProcessed ?? 0,
        failed: job.numberRecordsFailed ?? 0,
        errorMessage: job.errorMessage,
        usage: client.usage,
      };
    },

    /** One `Sforce-Locator` page of a finished query job, written to ERPNext. */
    async salesforceBulkQueryPage(request: {
      jobId: string;
      locator?: string;
      maxRecords: number;
    }): Promise<PageResult & { locator?: string }> {
      const client = sf();
      const page = await sfCall('jobs.query.results', () =>
        client.queryResults(request.jobId, request.locator, request.maxRecords),
      );
      const accounts = (
        parse(page.csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[]
      ).map(accountFromCsv);
      const counts = await writeAccounts(deps.erpnext ?? {}, accounts);
      return {
        read: accounts.length,
        counts,
        cursor: lastOf(accounts),
        locator: page.locator,
        usage: client.usage,
      };
    },

    /** The allocation as `/limits` reports it (one request): to see whether a parked run may go on. */
    async salesforceLimits(): Promise<ApiUsage> {
      const client = sf();
      return sfCall('limits', () => client.limits());
    },
  };
}
