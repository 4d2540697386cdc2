// What every long-running entry point (worker, ingress, codec server) does the same way: exit 1
// with the error's message when start-up fails; close the HTTP server on SIGINT/SIGTERM.

export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

export function closeOnSignals(app: { close(): PromiseLike<unknown> }): void {
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
