// The ERPNext activities: the breaker's probe of every configured site. The employee writes
// themselves (writer, batch, region moves, refused employees to the dead-letter queue) run inside
// the Workday import's activities and the redrives, through the modules of this folder.
import type { Region } from '../../domain/employee';
import type { ErpnextClient } from '../../vendors/erpnext';
import { createErpnextProbeActivities } from './probe';

export function createErpnextActivities(sites: Partial<Record<Region, ErpnextClient>>) {
  return { ...createErpnextProbeActivities(sites) };
}
