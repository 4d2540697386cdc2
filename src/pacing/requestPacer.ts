// Spaces calls evenly: each caller is released at least one interval after the previous release,
// measured when that release happened, so an event loop that stalls never lets two go together.
import { setTimeout as sleep } from 'node:timers/promises';

export class RequestPacer {
  private lastRelease = -Infinity;
  private turn: Promise<void> = Promise.resolve();

  /** `intervalMs` is read again after each wait: a worker's share of a budget can change meanwhile. */
  constructor(private readonly intervalMs: number | (() => number)) {}

  /** Resolves when this caller may send; callers go one at a time, in the order they asked. */
  take(): Promise<void> {
    const mine = this.turn.then(async () => {
      for (;;) {
        const wait = this.lastRelease + this.interval() - Date.now();
        if (wait <= 0) break;
        await sleep(wait);
      }
      this.lastRelease = Date.now();
    });
    this.turn = mine;
    return mine;
  }

  private interval(): number {
    return typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs();
  }
}
