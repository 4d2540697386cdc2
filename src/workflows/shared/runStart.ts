// What every workflow does first: check its input against its schema (a mismatch fails the run at
// once with a non-retryable InvalidInput), tag the run with its Connector search attribute when
// its starter did not, say in the run's details what it is for; and drop signals nobody handles.
import {
  log,
  patched,
  setCurrentDetails,
  setDefaultSignalHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import { parseInput, type InputSpec } from '../../domain/inputs/parse';
import { CONNECTOR_KEY } from '../../domain/search-attributes';

export interface RunPurpose {
  connector: string;
  /** What the run is for, in words (Temporal markdown); shown as the run's current details. */
  details: string;
}

export function beginRun<S extends z.ZodTypeAny>(
  spec: InputSpec<S>,
  raw: unknown,
  purpose: (input: z.output<S>) => RunPurpose,
): z.output<S> {
  const input = parseInput(spec, raw);
  const { connector, details } = purpose(input);
  // A starter's own Connector (schedule, CLI, parent) stands; runs started bare (the UI form, a
  // signal-with-start) get the workflow's. Runs recorded before this tag existed replay without it.
  if (workflowInfo().typedSearchAttributes.get(CONNECTOR_KEY) === undefined && patched('connector-tag'))
    upsertSearchAttributes([{ key: CONNECTOR_KEY, value: connector }]);
  setCurrentDetails(details);
  return input;
}

/**
 * Logs and drops signals no handler takes (instead of buffering them for ever). Call it after the
 * workflow's own handlers are set: signals that arrived before then go to those handlers.
 */
export function dropUnknownSignals(): void {
  setDefaultSignalHandler((name) =>
    log.warn('unknown signal dropped', {
      signal: name.slice(0, 100),
      workflowType: workflowInfo().workflowType,
    }),
  );
}
