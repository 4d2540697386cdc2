// Which workflows hold EU employees' records: the codec encrypts their payloads with the EU key
// (src/codec/regions.ts), and workflow code keeps their failure reasons out of runs that are not
// under it. Pure: imported by workflow code and by the codec.
import { deadLetterQueueWorkflowId } from './deadLetter';
import { erpnextConnectorFor } from './employee';

export const EU_WORKFLOW_IDS: ReadonlySet<string> = new Set([
  deadLetterQueueWorkflowId(erpnextConnectorFor('eu')),
]);
