// `integration_runs_total{connector, operation, outcome}`: one sample per connector a run served.
// Created on use: the workflow metric meter exists only inside a running workflow, and modules that
// define signals are also imported by clients and tests.
import { metricMeter } from '@temporalio/workflow';

export function countRun(connector: string, operation: string, outcome: string): void {
  metricMeter
    .createCounter('integration_runs_total', '1', 'Runs per connector, operation and outcome')
    .add(1, { connector, operation, outcome });
}
