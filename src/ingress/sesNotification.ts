// An SES bounce or complaint (the `Message` of an SNS notification, as identity notifications with
// `notificationType` or configuration-set events with `eventType`) read into feedback events: one
// per recipient, each address only as its key and masked hint. Deliveries, sends and unknown types
// carry nothing for the suppression list. Configuration-set events name their set in the
// `ses:configuration-set` tag; identity notifications carry no tags, so they count under the set the
// ingress is told mail goes out with (SES_CONFIGURATION_SET), the set the sends are counted under.
import type { FeedbackEvent, FeedbackKind } from '../domain/sesFeedback';
import { addressHint, addressKey } from '../vendors/sesAddress';

interface SesEvent {
  notificationType?: string;
  eventType?: string;
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  mail?: { tags?: Record<string, string[]> };
}

/** Events to record, [] for a type that records nothing, undefined for a message that is not SES's. */
export function feedbackEvents(
  message: string,
  messageId: string,
  receivedAt: string,
  /** The set of a message without tags (an identity notification): the configured one. */
  defaultConfigurationSet = 'default',
): FeedbackEvent[] | undefined {
  let e: SesEvent;
  try {
    e = JSON.parse(message) as SesEvent;
  } catch {
    return undefined;
  }
  if (typeof e !== 'object' || e === null) return undefined;
  const type = e.eventType ?? e.notificationType;
  if (typeof type !== 'string') return undefined;
  const configurationSet = e.mail?.tags?.['ses:configuration-set']?.[0] ?? defaultConfigurationSet;
  let kind: (address: string) => FeedbackKind;
  let recipients: { emailAddress?: string }[];
  let at: string | undefined;
  if (type === 'Bounce') {
    // Undetermined bounces count like transient ones: suppressed only when repeated.
    const permanent = e.bounce?.bounceType === 'Permanent';
    kind = () => (permanent ? 'permanent-bounce' : 'transient-bounce');
    recipients = e.bounce?.bouncedRecipients ?? [];
    at = e.bounce?.timestamp;
  } else if (type === 'Complaint') {
    kind = () => 'complaint';
    recipients = e.complaint?.complainedRecipients ?? [];
    at = e.complaint?.timestamp;
  } else return [];
  return recipients
    .map((r) => r.emailAddress)
    .filter((a): a is string => typeof a === 'string' && a.includes('@'))
    .slice(0, 100)
    .map((address) => ({
      messageId,
      kind: kind(address),
      addressKey: addressKey(address),
      hint: addressHint(address),
      configurationSet: configurationSet.slice(0, 64),
      at: at && !Number.isNaN(Date.parse(at)) ? at : receivedAt,
    }));
}
