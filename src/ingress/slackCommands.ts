// `/integrations status | renewal <host> | dlq <connector>`: read-only answers shown to the person
// who asked (ephemeral). `renewal` carries the renewal's buttons so they can act from there.
import { renewalReminderActions, actionsBlock } from '../domain/alertActions';
import { deadLetterQueueWorkflowId, type DeadLetterQueueSummary } from '../domain/deadLetter';
import { certificateRenewalWorkflowId } from '../workflows/certificateRenewal/messages';
import type { RenewalStatus } from '../workflows/certificateRenewal/state';
import type { TemporalGateway } from './temporal';

export interface CommandDeps {
  temporal: TemporalGateway;
  /** The CLI's per-connector status table as text. */
  statusTable: () => Promise<string>;
}

export interface CommandAnswer {
  response_type: 'ephemeral';
  text: string;
  blocks?: object[];
}

const USAGE =
  'Usage: `/integrations status`, `/integrations renewal <host>`, `/integrations dlq <connector>`';

export async function answerCommand(text: string, deps: CommandDeps): Promise<CommandAnswer> {
  const [verb = '', arg] = text.trim().split(/\s+/);
  const say = (line: string, blocks?: object[]): CommandAnswer => ({
    response_type: 'ephemeral',
    text: line,
    ...(blocks && { blocks }),
  });
  switch (verb) {
    case 'status':
      return say(`\`\`\`\n${await deps.statusTable()}\n\`\`\``);
    case 'renewal': {
      if (!arg) return say(USAGE);
      const workflowId = certificateRenewalWorkflowId(arg);
      const status = await deps.temporal.query<RenewalStatus>(workflowId, 'status');
      if (!status) return say(`No certificate renewal is running for ${arg}.`);
      const line = `Renewal of ${arg}: ${status.stage}, escalation level ${status.level}${status.acknowledged ? ' (acknowledged)' : ''}, CAB ${status.cab}`;
      return say(line, [
        { type: 'section', text: { type: 'mrkdwn', text: line } },
        actionsBlock(renewalReminderActions(workflowId)),
      ]);
    }
    case 'dlq': {
      if (!arg) return say(USAGE);
      const summary = await deps.temporal.query<DeadLetterQueueSummary>(
        deadLetterQueueWorkflowId(arg),
        'summary',
      );
      if (!summary) return say(`No dead-letter queue for ${arg}.`);
      return say(
        `Dead letters of ${arg}: ${summary.count}${summary.oldestFirstFailedAt ? `, oldest since ${summary.oldestFirstFailedAt}` : ''}`,
      );
    }
    default:
      return say(USAGE);
  }
}
