// Salesforce Accounts → ERPNext Customers, keyed by the Account Id in `custom_salesforce_id`. One
// lookup per site finds what exists (so a retried page updates what its first attempt created);
// unchanged Accounts (same content hash) are not sent; an Account billed in an EU/EEA country is
// written only to the EU site and removed from the US one if it lived there before (and the other way
// round); a deleted Account's Customer is deleted wherever it is.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { erpnextConnectorFor, REGIONS, type Region } from '../../domain/employee';
import { accountRegion, type SalesforceAccount } from '../../domain/salesforce';
import type { ErpnextClient } from '../../vendors/erpnext';
import { vendorCall } from '../shared/failures';

export interface CustomerCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Customers removed from a site their Account's billing country no longer belongs to. */
  moved: number;
}

export const emptyCustomerCounts = (): CustomerCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  moved: 0,
});

export function addCustomerCounts(a: CustomerCounts, b: CustomerCounts): CustomerCounts {
  return {
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    deleted: a.deleted + b.deleted,
    moved: a.moved + b.moved,
  };
}

interface ExistingCustomer {
  name: string;
  custom_salesforce_id: string;
  custom_salesforce_hash?: string;
}

const INSERT_CHUNK = 200;
const UPDATE_CHUNK = 500;
const LOOKUP_CHUNK = 200;
/** ERPNext requests one site gets at once from one activity. */
const IN_FLIGHT = 4;

function customerDoc(a: SalesforceAccount): Record<string, unknown> {
  const fields = {
    customer_name: a.Name,
    customer_type: 'Company',
    custom_salesforce_id: a.Id,
    custom_billing_country: a.BillingCountryCode ?? '',
  };
  const hash = createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
  return { ...fields, custom_salesforce_hash: hash };
}

export async function writeAccounts(
  erpnext: Partial<Record<Region, ErpnextClient>>,
  accounts: SalesforceAccount[],
): Promise<CustomerCounts> {
  const counts = emptyCustomerCounts();
  if (accounts.length === 0) return counts;
  const live = accounts.filter((a) => !a.IsDeleted);
  for (const region of REGIONS)
    if (!erpnext[region] && live.some((a) => accountRegion(a) === region))
      throw ApplicationFailure.nonRetryable(
        `no ERPNext endpoint configured for region ${region}; ${region} Accounts are never sent elsewhere`,
        'ResidencyEndpointMissing',
      );
  // The two sites are independent: written side by side.
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => {
      const client = erpnext[region];
      return client ? writeRegion(region, client, accounts) : emptyCustomerCounts();
    }),
  );
  return perRegion.reduce(addCustomerCounts, counts);
}

/** Runs `fn` over `items` in slices of `size`, `IN_FLIGHT` slices at a time, in order of completion. */
async function inSlices<T, R>(items: T[], size: number, fn: (slice: T[]) => Promise<R>): Promise<R[]> {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  const out: R[] = [];
  for (let i = 0; i < slices.length; i += IN_FLIGHT)
    out.push(...(await Promise.all(slices.slice(i, i + IN_FLIGHT).map(fn))));
  return out;
}

async function writeRegion(
  region: Region,
  client: ErpnextClient,
  accounts: SalesforceAccount[],
): Promise<CustomerCounts> {
  const counts = emptyCustomerCounts();
  const connector = erpnextConnectorFor(region);
  // The filter travels in the URL: a few hundred ids a lookup keep it under servers' limits.
  const existing = (
    await inSlices(
      accounts.map((a) => a.Id),
      LOOKUP_CHUNK,
      (chunk) =>
        vendorCall(connector, 'Customer.list', () =>
          client.list<ExistingCustomer>('Customer', {
            filters: [['custom_salesforce_id', 'in', chunk]],
            fields: ['name', 'custom_salesforce_id', 'custom_salesforce_hash'],
            pageLength: 0,
          }),
        ),
    )
  ).flat();
  const byId = new Map(existing.map((c) => [c.custom_salesforce_id, c]));
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const removals: { name: string; moved: boolean }[] = [];
  for (const account of accounts) {
    const found = byId.get(account.Id);
    if (account.IsDeleted || accountRegion(account) !== region) {
      if (found) removals.push({ name: found.name, moved: !account.IsDeleted });
      continue;
    }
    const doc = customerDoc(account);
    if (!found) inserts.push(doc);
    else if (found.custom_salesforce_hash !== doc.custom_salesforce_hash)
      updates.push({ ...doc, docname: found.name });
    else counts.unchanged++;
  }
  await inSlices(inserts, INSERT_CHUNK, async (chunk) => {
    await vendorCall(connector, 'Customer.insert_many', () => client.insertMany('Customer', chunk), {
      audit: chunk.map((d) => d.custom_salesforce_id).join(','),
    });
    counts.created += chunk.length;
  });
  for (let i = 0; i < updates.length; i += UPDATE_CHUNK) {
    const chunk = updates.slice(i, i + UPDATE_CHUNK) as ({ docname: string } & Record<string, unknown>)[];
    const failed = await vendorCall(
      connector,
      'Customer.bulk_update',
      () => client.bulkUpdate('Customer', chunk),
      {
        audit: chunk.map((d) => d.custom_salesforce_id).join(','),
      },
    );
    if (failed.length)
      throw ApplicationFailure.create({
        message: `ERPNext refused ${failed.length} Customer update(s): ${failed.slice(0, 5).join(', ')}`,
        type: 'BulkUpdateFailed',
      });
    counts.updated += chunk.length;
  }
  for (const removal of removals) {
    await vendorCall(connector, 'Customer.delete', () => client.delete('Customer', removal.name), {
      audit: removal.name,
    });
    if (removal.moved) counts.moved++;
    else counts.deleted++;
  }
  return counts;
}
