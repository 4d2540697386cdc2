// Children carry the Connector search attribute of the connector they serve, when the cluster uses
// it: a run that has the attribute itself proves it is registered. (The time-skipping test server
// has no search attributes; runs there start children without it.)
import { workflowInfo } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { CONNECTOR_KEY } from '../../domain/search-attributes';

export function connectorAttributes(connector: string): SearchAttributePair[] {
  return workflowInfo().typedSearchAttributes.get(CONNECTOR_KEY) === undefined
    ? []
    : [{ key: CONNECTOR_KEY, value: connector }];
}
