// A worker's share of a vendor's per-second budget, spent evenly. Temporal's server-side limit on
// the vendor's queue is the hard bound across workers, but it is a token bucket: a second's credit
// can go out at once, so one second can see twice the budget. Each worker therefore also spaces
// its requests to the vendor at (budget × 0.93) ÷ (workers polling the queue): every second stays
// within the budget and the 7% covers clock and network jitter (about 75 ms per worker per second).
import { RequestPacer } from './requestPacer';

const BUDGET_UTILIZATION = 0.93;

export function budgetSharePacer(perSecond: number, workers: () => number): RequestPacer {
  return new RequestPacer(() => (1000 * workers()) / (perSecond * BUDGET_UTILIZATION));
}

/**
 * Activities a paced worker holds at once. Few, so that the workers take tasks as fast as they
 * spend them: a worker that held many would send them at its share after the others ran dry.
 */
export function pacedConcurrency(perSecond: number): number {
  return Math.min(10, Math.max(2, Math.ceil(perSecond)));
}
