// The Workday SOAP client (Get_Workers) and the shape of a worker it returns.
export type { WorkdayWorker } from '../../domain/workdayWorker';
export {
  MAX_PAGE_COUNT,
  WORKDAY_API_VERSION,
  WorkdayClient,
  type GetWorkersPage,
  type GetWorkersQuery,
  type WorkdayClientOptions,
} from './client';
