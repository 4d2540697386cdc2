// `dlq` commands of the operator CLI: list, inspect and redrive dead-letter items of every
// connector's queue (`dlq-<connector>`) through the queue's queries and its validated `redrive`
// update, printing what a redrive achieved per item.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { deadLetterQueueWorkflowId, type DeadLetterFilter, type RedriveResult } from './domain/deadLetter';
import {
  deadLetterItem,
  deadLetterItems,
  deadLetterSummary,
  redriveUpdate,
} from './workflows/deadLetterQueue';

type FilterOptions = { connector?: string; errorType?: string; olderThan?: string };

function filterOf(opts: FilterOptions): DeadLetterFilter {
  return {
    ...(opts.connector ? { connector: opts.connector } : {}),
    ...(opts.errorType ? { errorType: opts.errorType } : {}),
    ...(opts.olderThan ? { olderThan: opts.olderThan as DeadLetterFilter['olderThan'] } : {}),
  };
}

/** The connectors that have a running queue. */
async function queueConnectors(client: Client): Promise<string[]> {
  const connectors: string[] = [];
  for await (const run of client.workflow.list({
    query: `WorkflowType = 'deadLetterQueue' AND ExecutionStatus = 'Running'`,
  }))
    connectors.push(run.workflowId.replace(/^dlq-/, ''));
  return connectors.sort();
}

export function registerDlqCommands(program: Command, connect: () => Promise<Client>): void {
  const dlq = program.command('dlq').description('dead-letter queues: list, show and redrive items');

  dlq
    .command('list')
    .description('one line per item (no payloads); every queue unless --connector')
    .option('--connector <connector>', 'only this connector')
    .option('--error-type <type>', 'only items whose error has this type, e.g. VendorUnavailable')
    .option('--older-than <duration>', 'only items that first failed longer ago, e.g. 2d, 12h')
    .action(async (opts: FilterOptions) => {
      const client = await connect();
      const connectors = opts.connector ? [opts.connector] : await queueConnectors(client);
      if (connectors.length === 0) console.log('no dead-letter queues');
      for (const connector of connectors) {
        const handle = client.workflow.getHandle(deadLetterQueueWorkflowId(connector));
        const summary = await handle.query(deadLetterSummary);
        const items = await handle.query(deadLetterItems, filterOf(opts));
        console.log(
          `${connector}: ${items.length} shown of ${summary.count} (expired ${summary.expiredTotal}, redriven ${summary.redrivenTotal})`,
        );
        for (const i of items)
          console.log(
            `  ${i.id}  ${i.error.type}  attempts ${i.attempts}  first ${i.firstFailedAt}  expires ${i.expiresAt}`,
          );
      }
    });

  dlq
    .command('show <connector> <id>')
    .description('one item in full: payload, error chain and history')
    .action(async (connector: string, id: string) => {
      const client = await connect();
      const item = await client.workflow
        .getHandle(deadLetterQueueWorkflowId(connector))
        .query(deadLetterItem, id);
      if (!item) throw new Error(`no item ${id} in dlq-${connector}`);
      console.log(JSON.stringify(item, null, 2));
    });

  dlq
    .command('redrive <connector>')
    .description('run items again with the current code: by --id, or by filter; prints each outcome')
    .option('--id <id...>', 'item ids (repeatable)')
    .option('--error-type <type>', 'items whose error has this type')
    .option('--older-than <duration>', 'items that first failed longer ago, e.g. 2d')
    .option('--all', 'every item of this connector')
    .action(async (connector: string, opts: FilterOptions & { id?: string[]; all?: boolean }) => {
      const client = await connect();
      const filter = filterOf({ ...opts, connector: opts.all ? connector : undefined });
      const result: RedriveResult = await client.workflow
        .getHandle(deadLetterQueueWorkflowId(connector))
        .executeUpdate(redriveUpdate, {
          args: [{ ...(opts.id?.length ? { ids: opts.id } : {}), filter }],
        })
        .catch((err: unknown) => {
          // The validator's reason (e.g. an empty selection) is the cause; say it, not just "failed".
          if (err instanceof WorkflowUpdateFailedError)
            throw new Error(`redrive refused: ${err.cause?.message ?? err.message}`);
          throw err;
        });
      for (const r of result.results)
        console.log(`  ${r.outcome.padEnd(9)} ${r.id}${r.error ? `  ${r.error}` : ''}`);
      console.log(
        `redrive ${connector}: ${result.succeeded} succeeded, ${result.failed} failed of ${result.attempted}`,
      );
    });
}
