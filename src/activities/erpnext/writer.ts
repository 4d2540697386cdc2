// Writes validated employees to the ERPNext of their region, keyed by employee_number: one list
// call finds what exists, then batched inserts and bulk updates; records whose content hash matches
// are not sent again, and a retried call updates what its first attempt created instead of
// creating it twice. Shared by the SFTP full import and the SOAP delta import.
// A retry also tells what an earlier attempt of the same activity wrote before its answer was lost
// (a killed worker): ERPNext's own `creation`/`modified` lie after the activity was first
// scheduled. Those rows count as created/updated, and get a `confirmed` audit line: the outcome the
// dead attempt never wrote after its `sent` line (an attempt that died after writing its outcome
// gets both: a confirmation is never missing, at worst repeated).
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  emptyRegionCounts,
  erpnextConnectorFor,
  type Region,
  type RegionCounts,
} from '../../domain/employee';
import type { ErpnextEmployeeFields } from '../../domain/employeeValidation';
import type { ErpnextClient } from '../../vendors/erpnext';
import { auditWrite, vendorCall } from '../shared/failures';

/** ERPNext answered that it will not take this request as it is (HTTP 4xx other than auth/429). */
function isRefusal(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === 'InvalidRequest';
}

const INSERT_CHUNK = 200; // frappe.client.insert_many's limit
const UPDATE_CHUNK = 500;

export interface RefusalReason {
  type: string;
  message: string;
}

export type EmployeeWriter = (region: Region, docs: ErpnextEmployeeFields[]) => Promise<RegionCounts>;

export interface EmployeeWriterOptions {
  /**
   * Receives the documents ERPNext refused (e.g. to dead-letter them), with the reason when ERPNext
   * gave one; they never go into a result, which would put personal data into workflow history.
   */
  onFailed?: (region: Region, failed: ErpnextEmployeeFields[], reason?: RefusalReason) => Promise<void>;
}

interface ExistingEmployee {
  name: string;
  employee_number: string;
  custom_workday_hash?: string;
  creation?: string;
  modified?: string;
}

/**
 * On a retry: whether ERPNext wrote this row since the activity was first scheduled, i.e. an
 * earlier attempt of this activity did (no other activity writes these employees meanwhile: ids
 * repeated across batches are quarantined). Always false on a first attempt.
 */
function writtenByEarlierAttempt(client: ErpnextClient): (siteTime: string | undefined) => boolean {
  const { attempt, scheduledTimestampMs } = Context.current().info;
  if (attempt <= 1) return () => false;
  return (siteTime) => siteTime !== undefined && client.utcMs(siteTime) >= scheduledTimestampMs;
}

export function createEmployeeWriter(
  erpnext: Partial<Record<Region, ErpnextClient>>,
  options: EmployeeWriterOptions = {},
): EmployeeWriter {
  return async function upsertRegion(region: Region, docs: ErpnextEmployeeFields[]): Promise<RegionCounts> {
    const counts = emptyRegionCounts();
    if (docs.length === 0) return counts;
    const client = erpnext[region];
    if (!client)
      throw ApplicationFailure.nonRetryable(
        `no ERPNext endpoint configured for region ${region}; ${region} employees are never sent elsewhere`,
        'ResidencyEndpointMissing',
      );
    const connector = erpnextConnectorFor(region);
    // Read first, then write: a retried batch finds what its first attempt created and updates it.
    const existing = await vendorCall(connector, 'Employee.list', () =>
      client.list<ExistingEmployee>('Employee', {
        filters: [['employee_number', 'in', docs.map((d) => d.employee_number)]],
        fields: ['name', 'employee_number', 'custom_workday_hash', 'creation', 'modified'],
        pageLength: 0,
      }),
    );
    const byNumber = new Map(existing.map((e) => [e.employee_number, e]));
    const inserts: ErpnextEmployeeFields[] = [];
    const updates: (ErpnextEmployeeFields & { docname: string })[] = [];
    const byEarlierAttempt = writtenByEarlierAttempt(client);
    const recovered = { created: [] as string[], updated: [] as string[] };
    for (const doc of docs) {
      const found = byNumber.get(doc.employee_number);
      if (!found) inserts.push(doc);
      else if (found.custom_workday_hash !== doc.custom_workday_hash)
        updates.push({ ...doc, docname: found.name });
      else if (byEarlierAttempt(found.creation)) recovered.created.push(doc.employee_number);
      else if (byEarlierAttempt(found.modified)) recovered.updated.push(doc.employee_number);
      else counts.unchanged++;
    }
    counts.created += recovered.created.length;
    counts.updated += recovered.updated.length;
    if (recovered.created.length)
      auditWrite(connector, 'Employee.insert_many', recovered.created.join(','), 'confirmed');
    if (recovered.updated.length)
      auditWrite(connector, 'Employee.bulk_update', recovered.updated.join(','), 'confirmed');
    for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
      const chunk = inserts.slice(i, i + INSERT_CHUNK);
      try {
        await vendorCall(
          connector,
          'Employee.insert_many',
          () => client.insertMany('Employee', chunk as never),
          { audit: chunk.map((d) => d.employee_number).join(',') },
        );
        counts.created += chunk.length;
      } catch (err) {
        if (!isRefusal(err)) throw err;
        // insert_many is one transaction: a single refused document fails all of them. One by one,
        // the refused ones are found and handed on; the rest are written.
        for (const doc of chunk) {
          try {
            await vendorCall(connector, 'Employee.insert', () => client.insert('Employee', doc as never), {
              audit: doc.employee_number,
            });
            counts.created++;
          } catch (docErr) {
            if (!isRefusal(docErr)) throw docErr;
            counts.failed++;
            await options.onFailed?.(region, [doc], {
              type: docErr.type ?? 'InvalidRequest',
              message: docErr.message,
            });
          }
        }
      }
    }
    for (let i = 0; i < updates.length; i += UPDATE_CHUNK) {
      const chunk = updates.slice(i, i + UPDATE_CHUNK);
      const failed = await vendorCall(
        connector,
        'Employee.bulk_update',
        () => client.bulkUpdate('Employee', chunk as never),
        { audit: chunk.map((d) => d.employee_number).join(',') },
      );
      counts.failed += failed.length;
      counts.updated += chunk.length - failed.length;
      if (failed.length && options.onFailed) {
        const names = new Set(failed);
        await options.onFailed(
          region,
          chunk.filter((d) => names.has(d.docname)).map(({ docname: _docname, ...doc }) => doc),
        );
      }
    }
    return counts;
  };
}
