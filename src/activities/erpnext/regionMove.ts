// Residency on a move: when an employee's country moves them to another region, the record in the
// region they left is deleted, so each employee lives in exactly one region's ERPNext. Only the
// Workday id is sent to the old region (to find the record), never the new personal data.
import type { Region } from '../../domain/employee';
import { REGIONS, erpnextConnectorFor } from '../../domain/employee';
import type { ErpnextClient } from '../../vendors/erpnext';
import { vendorCall } from '../shared/failures';

/** `deferred`: regions whose breaker is open: nothing is deleted from them, nor moved into them yet. */
export type RegionMover = (
  idsByRegion: Record<Region, string[]>,
  deferred?: readonly Region[],
) => Promise<Record<Region, number>>;

export function createRegionMover(erpnext: Partial<Record<Region, ErpnextClient>>): RegionMover {
  return async function removeFromOtherRegions(idsByRegion, deferred = []) {
    const movedIn: Record<Region, number> = { eu: 0, us: 0 };
    for (const from of REGIONS.filter((r) => !deferred.includes(r))) {
      const client = erpnext[from];
      const arriving = REGIONS.filter((to) => to !== from && !deferred.includes(to)).flatMap((to) =>
        idsByRegion[to].map((id) => ({ id, to })),
      );
      if (!client || arriving.length === 0) continue;
      const found = await vendorCall(erpnextConnectorFor(from), 'Employee.list', () =>
        client.list<{ name: string; employee_number: string }>('Employee', {
          filters: [['employee_number', 'in', arriving.map((a) => a.id)]],
          fields: ['name', 'employee_number'],
          pageLength: 0,
        }),
      );
      const destination = new Map(arriving.map((a) => [a.id, a.to]));
      for (const doc of found) {
        await vendorCall(
          erpnextConnectorFor(from),
          'Employee.delete',
          () => client.delete('Employee', doc.name),
          {
            audit: doc.employee_number,
          },
        );
        movedIn[destination.get(doc.employee_number)!]++;
      }
    }
    return movedIn;
  };
}
