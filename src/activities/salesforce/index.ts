// The Salesforce activities: the Account sync (REST and Bulk 2.0 query), account intelligence
// (Bulk 2.0 ingest, failed rows dead-lettered), and the settings workflow's pool and CAB check.
import type { Region } from '../../domain/employee';
import type { ErpnextClient } from '../../vendors/erpnext';
import type { SalesforceClient } from '../../vendors/salesforce/client';
import type { ServicenowClient } from '../../vendors/servicenow';
import { createSalesforceIntelligenceActivities } from './intelligence';
import { createSalesforcePoolActivities } from './pool';
import { createSalesforceSyncActivities } from './sync';

export interface SalesforceDeps {
  client?: SalesforceClient;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  servicenow?: ServicenowClient;
  /** Dead-letter retention (DLQ_RETENTION). */
  retention?: string;
}

export function createSalesforceActivities(deps: SalesforceDeps) {
  return {
    ...createSalesforceSyncActivities(deps),
    ...createSalesforceIntelligenceActivities(deps),
    ...createSalesforcePoolActivities({ servicenow: deps.servicenow }),
  };
}
