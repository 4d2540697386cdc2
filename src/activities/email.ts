// Email activities. Recipients are named by role ('alerts', 'vendor-contact', the digest list) and
// resolved here in the worker, so addresses never enter workflow history. Every send skips the
// addresses on the SES suppression list (reported as suppressed, not sent); over SES each message
// carries the configuration set and tags, and what was sent is counted for the reputation guard.
import { Context, log } from '@temporalio/activity';
import { actionLinksFor, type ActionLinkSettings } from '../actionLinks';
import {
  actionLinksText,
  alertText,
  DEFAULT_TEMPORAL_UI_URL,
  withRunLink,
  type Alert,
} from '../domain/alert';
import { digestText, type Digest } from '../domain/digest';
import type { OutboundEmail } from '../vendors/ses';
import { isRecipientRejected } from '../vendors/ses';
import { addressKey } from '../vendors/sesAddress';
import { vendorCall } from './shared/failures';
import { reportSent, reputation, suppressedAmong } from './sesFeedback';

export type EmailRole = 'alerts' | 'vendor-contact' | 'platform-engineering';

/** SMTP (vendors/email.ts) or the SES v2 API (vendors/ses.ts). */
export interface Mailer {
  send(message: OutboundEmail): Promise<{ messageId: string }>;
}

export interface EmailDeps {
  client?: Mailer;
  /** Set when mail goes through SES: sends are counted against this configuration set. */
  configurationSet?: string;
  recipients: Partial<Record<EmailRole, string>>;
  /** DIGEST_EMAIL_TO: the daily digest's list. */
  digestTo?: string[];
  /** TEMPORAL_UI_URL: alerts link to their run there. */
  uiUrl?: string;
  /** Alert e-mails carry action links bound to their recipient. */
  actionLinks?: ActionLinkSettings;
}

export interface EmailDelivery {
  /** `paused`: held back by the reputation guard; `rejected`: SES refused every recipient. */
  status: 'sent' | 'skipped' | 'suppressed' | 'paused' | 'rejected';
  messageId?: string;
  /** For a list: messages sent, addresses skipped as suppressed, recipients SES refused. */
  sent?: number;
  suppressed?: number;
  rejected?: number;
}

/**
 * A list send's progress, heartbeated after each message: the addresses already done (sent or
 * refused by SES) as short keys, so a retry skips them even when the suppression list changed in
 * between and the list it recomputes is not the one an index would point into.
 */
interface ListProgress {
  done: string[];
  sent: number;
  rejected: number;
  /** Before keys: the index reached in the target list (an attempt started by an older worker). */
  next?: number;
}

/**
 * An alert's connector as an SES tag value (ASCII letters, digits, `_` and `-` only; at most 256
 * characters, per SES's MessageTag); alerts without one, and role mail, are tagged `platform`.
 */
export function connectorTag(connector: string | undefined): string {
  const tag = (connector ?? '')
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, 256);
  return /[A-Za-z0-9]/.test(tag) ? tag : 'platform';
}

/** 16 hex characters of the address's sha256 key: enough to tell a list's members apart. */
const progressKey = (address: string) => addressKey(address).slice(0, 16);

function rejectedAsUndefined(err: unknown): undefined {
  if (isRecipientRejected(err)) return undefined;
  throw err;
}

export function createEmailActivities(deps: EmailDeps) {
  /** Sends one message per address (a list never shows its members to each other). */
  async function sendEach(
    addresses: string[],
    subject: string,
    text: string,
    tags: { connector: string; kind: string },
    audit: string,
  ): Promise<EmailDelivery> {
    const client = deps.client!;
    const connector = deps.configurationSet ? 'ses' : 'email';
    const { client: temporal, info } = Context.current();
    const suppressed = await suppressedAmong(temporal, addresses);
    const targets = addresses.filter((a) => !suppressed.has(a));
    // A retried attempt skips the addresses an earlier attempt already mailed.
    const prior = (info.heartbeatDetails ?? {}) as Partial<ListProgress>;
    const done = new Set(prior.done ?? targets.slice(0, prior.next ?? 0).map(progressKey));
    let sent = 0;
    let rejected = prior.rejected ?? 0;
    let messageId: string | undefined;
    try {
      for (const to of targets) {
        const key = progressKey(to);
        if (done.has(key)) continue;
        // The audit line names the role or list, never the address.
        const out = await vendorCall(
          connector,
          'send',
          // SES refusing one recipient (sandbox: not verified) does not hold back the others.
          () => client.send({ to: [to], subject, text, tags }).catch(rejectedAsUndefined),
          { audit },
        );
        if (out) {
          messageId ??= out.messageId;
          sent++;
        } else rejected++;
        done.add(key);
        Context.current().heartbeat({
          done: [...done],
          sent: (prior.sent ?? 0) + sent,
          rejected,
        } satisfies ListProgress);
      }
    } finally {
      if (deps.configurationSet) await reportSent(temporal, deps.configurationSet, sent);
    }
    log.info('email sent', { audit, subject, sent, suppressed: suppressed.size, rejected });
    // What earlier attempts sent counts too (their sends were reported to the list already).
    const total = (prior.sent ?? 0) + sent;
    if (targets.length === 0) return { status: 'suppressed', suppressed: suppressed.size };
    if (total === 0) return { status: 'rejected', suppressed: suppressed.size, rejected };
    return { status: 'sent', messageId, sent: total, suppressed: suppressed.size, rejected };
  }

  async function send(
    role: EmailRole,
    subject: string,
    text: string,
    kind: string,
    connector?: string,
  ): Promise<EmailDelivery> {
    const to = deps.recipients[role];
    if (!deps.client || !to) return { status: 'skipped' };
    return sendEach([to], subject, text, { connector: connectorTag(connector), kind }, role);
  }

  return {
    /** The failover path: an alert that chat channels could not deliver. Critical: never paused. */
    async emailAlert(alert: Alert, failedChannels: string[]): Promise<EmailDelivery> {
      const note = `\n\n(Sent by email because ${failedChannels.join(' and ')} delivery failed.)`;
      const to = deps.recipients.alerts;
      const links = to ? actionLinksText(actionLinksFor(deps.actionLinks, alert.actions, to)) : '';
      return send(
        'alerts',
        `[${alert.severity.toUpperCase()}] ${alert.title}`,
        alertText(withRunLink(alert, deps.uiUrl ?? DEFAULT_TEMPORAL_UI_URL)) + links + note,
        'alert',
        alert.connector,
      );
    },

    /**
     * An alert for an audience with its own address (Platform Engineering: PLATFORM_ENGINEERING_EMAIL),
     * besides the chat channels; `skipped` when the audience has none. Critical mail: never paused.
     */
    async emailAudience(alert: Alert): Promise<EmailDelivery> {
      const role = alert.audience === 'platform-engineering' ? 'platform-engineering' : undefined;
      const to = role && deps.recipients[role];
      if (!role || !to) return { status: 'skipped' };
      const links = actionLinksText(actionLinksFor(deps.actionLinks, alert.actions, to));
      return send(
        role,
        `[${alert.severity.toUpperCase()}] ${alert.title}`,
        alertText(withRunLink(alert, deps.uiUrl ?? DEFAULT_TEMPORAL_UI_URL)) + links,
        'alert',
        alert.connector,
      );
    },

    async emailRole(message: { role: EmailRole; subject: string; text: string }): Promise<EmailDelivery> {
      return send(message.role, message.subject, message.text, 'role');
    },

    /** The daily digest to DIGEST_EMAIL_TO; held back while the configuration set is paused. */
    async emailDigest(digest: Digest): Promise<EmailDelivery> {
      if (!deps.client || !deps.digestTo?.length) return { status: 'skipped' };
      if (deps.configurationSet) {
        const r = await reputation(Context.current().client, deps.configurationSet);
        if (r?.level === 'paused') {
          log.warn('digest email paused by the SES reputation guard', {
            configurationSet: r.configurationSet,
          });
          return { status: 'paused' };
        }
      }
      const subject = `Integration operations digest ${digest.since.slice(0, 10)} to ${digest.until.slice(0, 10)}`;
      return sendEach(
        deps.digestTo,
        subject,
        digestText(digest),
        { connector: 'platform', kind: 'digest' },
        'digest',
      );
    },
  };
}
