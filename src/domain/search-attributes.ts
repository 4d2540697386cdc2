// Search attributes every run carries, so operators filter the Web UI by them. No personal data.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The connector a run serves: `erpnext`, `servicenow`, … or `platform` for cross-cutting runs. */
export const CONNECTOR_KEY = defineSearchAttributeKey('Connector', SearchAttributeType.KEYWORD);
