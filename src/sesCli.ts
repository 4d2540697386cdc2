// `ses` commands of the operator CLI: the suppression list (list, lift) and the reputation per
// configuration set, through the sesFeedback workflow's queries and its validated `lift` update.
// An address is looked up by its key (sha256), so the list itself never holds it.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { percent, SES_FEEDBACK_WORKFLOW_ID } from './domain/sesFeedback';
import { addressKey } from './vendors/sesAddress';
import { liftUpdate, reputationQuery, suppressionsQuery } from './workflows/sesFeedback';

async function orEmpty<T>(fn: () => Promise<T[]>): Promise<T[]> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

export function registerSesCommands(program: Command, createClient: () => Promise<Client>): void {
  const ses = program.command('ses').description('SES: the suppression list and the reputation guard');
  const handle = async () => (await createClient()).workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID);
  const suppressions = ses.command('suppressions').description('addresses no e-mail goes to');
  suppressions
    .command('list')
    .description('every suppressed address (masked), why and since when')
    .option('--address <address>', 'only this address')
    .action(async (opts: { address?: string }) => {
      const h = await handle();
      const list = await orEmpty(() => h.query(suppressionsQuery));
      const key = opts.address && addressKey(opts.address);
      const shown = key ? list.filter((s) => s.addressKey === key) : list;
      for (const s of shown)
        console.log(`${s.hint.padEnd(32)} ${s.reason.padEnd(26)} ${s.since}  ${s.addressKey}`);
      console.log(`${shown.length} suppressed`);
    });
  suppressions
    .command('lift <address>')
    .description('take an address (or its sha256 key) off the list: mail goes to it again')
    .requiredOption('--who <who>', 'the person acting (recorded)')
    .option('--note <note>')
    .action(async (address: string, opts: { who: string; note?: string }) => {
      const key = /^[0-9a-f]{64}$/.test(address) ? address : addressKey(address);
      const reply = await (
        await handle()
      ).executeUpdate(liftUpdate, {
        args: [{ addressKey: key, who: opts.who, ...(opts.note && { note: opts.note }) }],
      });
      console.log(reply.lifted ? `lifted ${reply.hint}` : 'not on the list');
    });
  ses
    .command('reputation')
    .description('rolling bounce and complaint rates per configuration set')
    .action(async () => {
      const h = await handle();
      for (const r of await orEmpty(() => h.query(reputationQuery)))
        console.log(
          `${r.configurationSet.padEnd(24)} ${r.level.padEnd(7)} bounces ${percent(r.bounceRate)} (${r.bounces}/${r.sent}), complaints ${percent(r.complaintRate)} (${r.complaints}/${r.sent})`,
        );
    });
}
