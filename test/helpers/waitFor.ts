// Polling for what becomes true eventually: a signal handled, a visibility record written, a worker
// listening. A poll that runs out of time fails the test with what it last saw (the last reading or
// the last error), so a failure on a busy machine says what was missing, not just "timed out".
import { inspect } from 'node:util';

const POLL_EVERY_MS = 100;

type Seen<T> = { value: T } | { error: unknown } | undefined;

function describeSeen<T>(seen: Seen<T>): string {
  if (!seen) return 'nothing was read';
  if ('error' in seen) return `last error: ${(seen.error as Error)?.message ?? String(seen.error)}`;
  return `last reading: ${inspect(seen.value, { depth: 4, breakLength: 120 })}`;
}

async function poll<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen: Seen<T>;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      seen = { value };
    } catch (error) {
      seen = { error };
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; ${describeSeen(seen)}`);
    await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
  }
}

/** Polls until `fn` returns something other than undefined; an error thrown counts as "not yet". */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  return (await poll(what, fn, (value) => value !== undefined, timeoutMs)) as T;
}

/** Reads until `done` holds (queries see state between workflow tasks), then returns that reading. */
export function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { what = 'the condition', timeoutMs = 20_000 }: { what?: string; timeoutMs?: number } = {},
): Promise<T> {
  return poll(what, read, done, timeoutMs);
}
