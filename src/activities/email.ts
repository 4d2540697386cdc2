// Email activities. Recipients are named by role ('alerts', 'vendor-contact') and resolved here
// in the worker, so addresses never enter workflow history.
import { log } from '@temporalio/activity';
import { actionLinksFor, type ActionLinkSettings } from '../actionLinks';
import {
  actionLinksText,
  alertText,
  DEFAULT_TEMPORAL_UI_URL,
  withRunLink,
  type Alert,
} from '../domain/alert';
import type { EmailClient } from '../vendors/email';
import { vendorCall } from './shared/failures';

export type EmailRole = 'alerts' | 'vendor-contact';

export interface EmailDeps {
  client?: EmailClient;
  recipients: Partial<Record<EmailRole, string>>;
  /** TEMPORAL_UI_URL: alerts link to their run there. */
  uiUrl?: string;
  /** Alert e-mails carry action links bound to their recipient. */
  actionLinks?: ActionLinkSettings;
}

export interface EmailDelivery {
  status: 'sent' | 'skipped';
  messageId?: string;
}

export function createEmailActivities(deps: EmailDeps) {
  async function send(role: EmailRole, subject: string, text: string): Promise<EmailDelivery> {
    const to = deps.recipients[role];
    if (!deps.client || !to) return { status: 'skipped' };
    const client = deps.client;
    // The audit line names the role, never the address.
    const sent = await vendorCall('email', 'send', () => client.send({ to: [to], subject, text }), {
      audit: role,
    });
    log.info('email sent', { role, subject });
    return { status: 'sent', messageId: sent.messageId };
  }

  return {
    /** The failover path: an alert that chat channels could not deliver. */
    async emailAlert(alert: Alert, failedChannels: string[]): Promise<EmailDelivery> {
      const note = `\n\n(Sent by email because ${failedChannels.join(' and ')} delivery failed.)`;
      const to = deps.recipients.alerts;
      const links = to ? actionLinksText(actionLinksFor(deps.actionLinks, alert.actions, to)) : '';
      return send(
        'alerts',
        `[${alert.severity.toUpperCase()}] ${alert.title}`,
        alertText(withRunLink(alert, deps.uiUrl ?? DEFAULT_TEMPORAL_UI_URL)) + links + note,
      );
    },

    async emailRole(message: { role: EmailRole; subject: string; text: string }): Promise<EmailDelivery> {
      return send(message.role, message.subject, message.text);
    },
  };
}
