// The worker's workflow bundle entry: every workflow, by the name schedules and operators use.
export { readinessCheck } from './readinessCheck';
export { certificateRenewal } from './certificateRenewal';
export { circuitBreaker } from './circuitBreaker';
