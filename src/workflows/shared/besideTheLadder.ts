// Calls a long-running workflow makes beside its own clock: each runs as its own promise, its
// failure goes to a handler instead of failing the run, and the main loop never waits for one.
// Runs started before the change awaited each call; `concurrent: false` keeps that order so their
// histories replay (the caller decides with `patched()`).
import type { Duration } from '@temporalio/common';
import { sleep } from '@temporalio/workflow';

export class BesideTheLadder {
  private readonly running = new Set<Promise<void>>();
  private ordered = 0;
  private lastOrdered?: Promise<void>;

  constructor(
    /** A function when the answer comes from `patched()` at the first call. */
    private readonly concurrent: boolean | (() => boolean),
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Starts `call`; returns at once (or, for old runs, when the call is done). Never rejects. */
  async run(what: string, call: () => Promise<unknown>): Promise<void> {
    const done: Promise<void> = call().then(
      () => undefined,
      (err: unknown) => this.onError(what, err),
    );
    const tracked = done.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    const concurrent = typeof this.concurrent === 'function' ? this.concurrent() : this.concurrent;
    if (!concurrent) await tracked;
  }

  /**
   * Like `run`, but starts once the previous ordered call ended or `maxWait` passed: alerts keep
   * their order, and a channel that is down holds the next one back for `maxWait` at most.
   */
  async runInOrder(what: string, call: () => Promise<unknown>, maxWait: Duration): Promise<void> {
    const previous = this.ordered > 0 ? this.lastOrdered : undefined;
    this.ordered++;
    let release!: () => void;
    this.lastOrdered = new Promise<void>((resolve) => (release = resolve));
    await this.run(what, async () => {
      try {
        if (previous) await Promise.race([previous, sleep(maxWait)]);
        await call();
      } finally {
        this.ordered--;
        release();
      }
    });
  }

  /** Waits until no call is running, including calls started by calls that finished meanwhile. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}

/** The innermost cause of a failed call: the activity's own error, not "Activity task failed". */
function rootCause(err: unknown): { message?: string; type?: string } | undefined {
  let current = err as { message?: string; type?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current;
}

export function failureMessage(err: unknown): string {
  return (rootCause(err)?.message ?? String(err)).slice(0, 300);
}

/** The ApplicationFailure type of the innermost cause (`NotConfigured`, `VendorUnavailable`, ...). */
export function failureType(err: unknown): string | undefined {
  return rootCause(err)?.type;
}
