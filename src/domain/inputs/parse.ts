// One way to check what arrives from outside a workflow (its input, a signal's or an update's
// arguments): a zod schema, and on a mismatch a non-retryable ApplicationFailure that names the
// field and shows a valid example. Pure and deterministic: safe in the workflow bundle.
import { ApplicationFailure, type Duration } from '@temporalio/common';
import { z } from 'zod';
import { isPositiveDuration } from '../duration';

/** Longest text echoed back in a refusal: a refusal never carries a caller's megabyte. */
const MAX_ECHO = 200;

/** Bounded text: people's names, notes and reasons stay a few hundred characters. */
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
export const WHO = z.string().trim().min(1, 'is required: the person acting').max(200);
export const NOTE = text(500);
export const isoDateTime = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time such as "2026-12-24T00:00:00Z"');
/** A Temporal duration: milliseconds or a string such as "7 days" or "90s". */
export const duration = z.union([
  z.number().int().positive(),
  z.string().max(40).refine(isPositiveDuration, 'must be a duration such as "90s", "5 minutes" or "7 days"'),
]) as unknown as z.ZodType<Duration>;

export interface InputSpec<S extends z.ZodTypeAny> {
  schema: S;
  example: unknown;
}

export function inputSpec<S extends z.ZodTypeAny>(schema: S, example: unknown): InputSpec<S> {
  return { schema, example };
}

/** A refusal for a person or a caller: plain message, no stack trace of the worker's machine. */
export function refusal(message: string, type = 'InvalidInput'): ApplicationFailure {
  const failure = ApplicationFailure.create({ message, type, nonRetryable: true });
  failure.stack = '';
  return failure;
}

/** The parsed value, or a non-retryable `InvalidInput` naming the first wrong field. */
export function parseInput<S extends z.ZodTypeAny>(
  spec: InputSpec<S>,
  raw: unknown,
  what = 'input',
): z.output<S> {
  const result = spec.schema.safeParse(raw);
  if (result.success) return result.data as z.output<S>;
  throw refusal(
    `${describeIssue(result.error.issues[0], raw, what)}. A valid ${what}: ${JSON.stringify(spec.example)}`,
  );
}

function describeIssue(issue: z.ZodIssue | undefined, raw: unknown, what: string): string {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return `${what} must be one JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`;
  if (!issue) return `${what} is not valid`;
  const field = issue.path.reduce<string>(
    (path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${clip(String(key), 60)}`),
    what,
  );
  return `${field}: ${clip(issue.message, MAX_ECHO)}`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
