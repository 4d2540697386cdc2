// The worker's workflow bundle entry: every workflow, by the name schedules and operators use.
export { readinessCheck } from './readinessCheck';
export { openIncident } from './openIncident';
export { servicenowIncidentSync } from './servicenowIncidentSync';
export { tableauExtractRefresh } from './tableauExtractRefresh';
export { certificateRenewal } from './certificateRenewal';
export { circuitBreaker } from './circuitBreaker';
export { channelRecovery } from './channelRecovery';
export { runFailureAlert } from './runFailureAlert';
export { workdayEmployeeImport } from './workdayEmployeeImport';
export { deadLetterQueue } from './deadLetterQueue';
export { dailyDigest } from './dailyDigest';
export { slackEvent } from './slackEvent';
export { slackTokenRotation } from './slackTokenRotation';
export { salesforceAccountSync } from './salesforceAccountSync';
export { salesforceAccountIntelligence } from './salesforceAccountIntelligence';
export { salesforceSettings } from './salesforceSettings';
