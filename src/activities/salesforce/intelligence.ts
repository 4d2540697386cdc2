// ERPNext → Salesforce "account intelligence": per Customer that came from Salesforce, the finance
// figures ERPNext knows (outstanding amount, overdue invoices, credit limit, last invoice date),
// written to Account custom fields by one Bulk API 2.0 ingest upsert. The upsert key is the Account
// `Id` (kept in ERPNext as custom_salesforce_id): a separate external id would make Salesforce create
// Accounts for Customers it never had. Rows Salesforce refused (failedResults, `sf__Error`) go to
// `dlq-salesforce`; a redrive writes one row through REST.
import { Context } from '@temporalio/activity';
import { parse } from 'csv-parse/sync';
import { REGIONS, erpnextConnectorFor, type Region } from '../../domain/employee';
import { SALESFORCE_CONNECTOR, type ApiUsage } from '../../domain/salesforce';
import type { DeadLetterInput } from '../../domain/deadLetter';
import type { ErpnextClient } from '../../vendors/erpnext';
import type { SalesforceClient } from '../../vendors/salesforce/client';
import { countDeadLettered, fromCurrentActivity, sendToDeadLetter } from '../deadLetter';
import { vendorCall } from '../shared/failures';
import { notConfigured, sfCall } from './calls';

export const INTELLIGENCE_KIND = 'salesforce-account-intelligence';
export const INTELLIGENCE_FIELDS = [
  'Outstanding_Amount__c',
  'Overdue_Invoices__c',
  'Credit_Limit__c',
  'Last_Invoice_Date__c',
] as const;
const PAGE = 5000;
const LOOKUP_CHUNK = 200;

interface CustomerRow {
  name: string;
  custom_salesforce_id: string;
  credit_limit?: number;
}
interface InvoiceRow {
  customer: string;
  outstanding_amount?: number;
  due_date?: string;
  posting_date?: string;
}

export type IntelligenceRow = { Id: string } & Record<(typeof INTELLIGENCE_FIELDS)[number], string>;

/** CSV cell: `#N/A` clears a field in Bulk API 2.0. */
const cell = (value: unknown) =>
  value === undefined || value === null || value === '' ? '#N/A' : String(value);

async function figures(client: ErpnextClient, region: Region, today: string, out: string[]): Promise<number> {
  const connector = erpnextConnectorFor(region);
  let rows = 0;
  for (let start = 0; ; start += PAGE) {
    const customers = await vendorCall(connector, 'Customer.list', () =>
      client.list<CustomerRow>('Customer', {
        filters: [['custom_salesforce_id', 'is', 'set']],
        fields: ['name', 'custom_salesforce_id', 'credit_limit'],
        orderBy: 'name asc',
        start,
        pageLength: PAGE,
      }),
    );
    if (customers.length === 0) break;
    const invoices: InvoiceRow[] = [];
    // The filter travels in the URL: a few hundred names a lookup keep it under servers' limits.
    for (let i = 0; i < customers.length; i += LOOKUP_CHUNK) {
      const names = customers.slice(i, i + LOOKUP_CHUNK).map((c) => c.name);
      invoices.push(
        ...(await vendorCall(connector, 'Sales Invoice.list', () =>
          client.list<InvoiceRow>('Sales Invoice', {
            filters: [
              ['customer', 'in', names],
              ['docstatus', '=', 1],
            ],
            fields: ['customer', 'outstanding_amount', 'due_date', 'posting_date'],
            pageLength: 0,
          }),
        )),
      );
    }
    const byCustomer = new Map<string, { outstanding: number; overdue: number; last?: string }>();
    for (const inv of invoices) {
      const f = byCustomer.get(inv.customer) ?? { outstanding: 0, overdue: 0 };
      const due = Number(inv.outstanding_amount ?? 0);
      f.outstanding += due;
      if (due > 0 && inv.due_date && inv.due_date < today) f.overdue++;
      if (inv.posting_date && (!f.last || inv.posting_date > f.last)) f.last = inv.posting_date;
      byCustomer.set(inv.customer, f);
    }
    for (const c of customers) {
      const f = byCustomer.get(c.name) ?? { outstanding: 0, overdue: 0 };
      out.push(
        [
          c.custom_salesforce_id,
          f.outstanding.toFixed(2),
          f.overdue,
          cell(c.credit_limit),
          cell(f.last),
        ].join(','),
      );
      rows++;
    }
    Context.current().heartbeat({ region, start });
    if (customers.length < PAGE) break;
  }
  return rows;
}

export function createSalesforceIntelligenceActivities(deps: {
  client?: SalesforceClient;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  retention?: string;
}) {
  const sf = () => {
    if (!deps.client) throw notConfigured();
    return deps.client;
  };
  return {
    /**
     * Builds the figures CSV from every ERPNext site, opens an ingest upsert job, uploads it and
     * closes it (UploadComplete). Only the job id and the row count go back to the workflow.
     */
    async salesforceIntelligenceUpload(request: {
      today: string;
    }): Promise<{ jobId?: string; rows: number; usage?: ApiUsage }> {
      const client = sf();
      const lines = [['Id', ...INTELLIGENCE_FIELDS].join(',')];
      let rows = 0;
      for (const region of REGIONS) {
        const erp = deps.erpnext?.[region];
        if (erp) rows += await figures(erp, region, request.today, lines);
      }
      if (rows === 0) return { rows, usage: client.usage };
      const job = await sfCall('jobs.ingest.create', () => client.createIngestJob('Account', 'upsert', 'Id'));
      await sfCall('jobs.ingest.upload', () => client.uploadIngestData(job.id, `${lines.join('\n')}\n`), {
        audit: job.id,
      });
      await sfCall('jobs.ingest.close', () => client.closeIngestJob(job.id));
      return { jobId: job.id, rows, usage: client.usage };
    },

    /** Sends the job's failedResults rows to dlq-salesforce, one item per Account (its sf__Error kept). */
    async salesforceIngestFailures(request: {
      jobId: string;
    }): Promise<{ deadLettered: number; usage?: ApiUsage }> {
      const client = sf();
      const csv = await sfCall('jobs.ingest.failedResults', () =>
        client.ingestResults(request.jobId, 'failedResults'),
      );
      const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
      if (rows.length === 0) return { deadLettered: 0, usage: client.usage };
      const items: DeadLetterInput[] = fromCurrentActivity(
        rows.map((row) => {
          const [code = 'UNKNOWN', message = row.sf__Error ?? ''] = (row.sf__Error ?? '').split(':');
          const payload = Object.fromEntries(['Id', ...INTELLIGENCE_FIELDS].map((f) => [f, row[f] ?? '']));
          return {
            connector: SALESFORCE_CONNECTOR,
            kind: INTELLIGENCE_KIND,
            key: row.Id ?? '',
            payload,
            error: { type: code, message: `${code}: ${message}`, chain: [row.sf__Error ?? ''] },
          };
        }),
      );
      const ctx = Context.current();
      await sendToDeadLetter(ctx.client, ctx.info.taskQueue, items, deps.retention as never);
      countDeadLettered(items);
      return { deadLettered: items.length, usage: client.usage };
    },
  };
}

/** Redrive of one refused row: a REST PATCH of its fields (idempotent: the same values again). */
export function intelligenceRedrive(client: SalesforceClient | undefined) {
  return async (payload: IntelligenceRow): Promise<string> => {
    if (!client) throw notConfigured();
    const { Id, ...fields } = payload;
    const values = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, v === '#N/A' || v === '' ? null : v]),
    );
    await sfCall('sobjects.Account.update', () => client.update('Account', Id, values), { audit: Id });
    return 'updated';
  };
}
