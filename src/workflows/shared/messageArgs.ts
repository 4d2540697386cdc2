// Arguments of signals and updates are checked like inputs. A refused signal is logged and
// dropped (the sender gets no reply); a refused update is answered at once, non-retryable.
import { log } from '@temporalio/workflow';
import type { z } from 'zod';
import { parseInput, type InputSpec } from '../../domain/inputs/parse';

/** The signal's argument, or undefined (logged) when it does not fit the schema. */
export function signalArg<S extends z.ZodTypeAny>(
  spec: InputSpec<S>,
  raw: unknown,
  signal: string,
): z.output<S> | undefined {
  try {
    return parseInput(spec, raw, `${signal} argument`);
  } catch (err) {
    log.warn('signal refused', { signal, reason: (err as Error).message });
    return undefined;
  }
}

/** An update validator: refuses arguments that do not fit the schema. */
export function updateArgValidator<S extends z.ZodTypeAny>(spec: InputSpec<S>, update: string) {
  return (raw: unknown): void => void parseInput(spec, raw, `${update} argument`);
}
