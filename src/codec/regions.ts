// Which key a payload gets: the codec sees no values, only the workflow or activity that owns the
// payload (Temporal's serialization context). Workflows that hold EU employees' data get the EU
// key, and so do their activities, signals, queries, updates and continue-as-new inputs.
// docs/data-protection.md has the table.
import type { SerializationContext } from '@temporalio/common';
import { EU_WORKFLOW_IDS } from '../domain/dataRegions';
import type { KeyRegion } from './keyRing';

export function keyRegionOf(context: SerializationContext | undefined): KeyRegion {
  return context?.workflowId !== undefined && EU_WORKFLOW_IDS.has(context.workflowId) ? 'eu' : 'default';
}
