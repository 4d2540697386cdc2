// The breaker's probe for ERPNext: one cheap authenticated call per configured region. An outage
// surfaces as the same VendorUnavailable/RateLimited failure the import's writes raise.
import { REGIONS, erpnextConnectorFor, type Region } from '../../domain/employee';
import type { ErpnextClient } from '../../vendors/erpnext';
import { vendorCall } from '../shared/failures';

export function createErpnextProbeActivities(erpnext: Partial<Record<Region, ErpnextClient>>) {
  return {
    async erpnextProbe(): Promise<void> {
      for (const region of REGIONS) {
        const client = erpnext[region];
        if (!client) continue;
        await vendorCall(erpnextConnectorFor(region), 'probe', () => client.loggedUser());
      }
    },
  };
}
