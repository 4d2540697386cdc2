// An alert is what every workflow announces; renderers turn it into each channel's format.
// Pure functions: workflows build alerts, activities render and send them.
import { actionsBlock, type AlertAction } from './alertActions';

export type Severity = 'info' | 'warning' | 'critical';

export interface Alert {
  title: string;
  severity: Severity;
  summary: string;
  /** Short name/value pairs shown as a table (Slack fields, Adaptive Card FactSet). */
  facts?: { name: string; value: string }[];
  connector?: string;
  /** One-click answers (Slack buttons); absent = a message without buttons. */
  actions?: AlertAction[];
  /** The run the alert is about; `announce` fills it in. Rendered as its id and Web UI link. */
  run?: RunRef;
  /** The alert's SMS page run (smsPage), which records each on-call role's delivery; `announce` fills it in. */
  smsPage?: RunRef;
  /**
   * Who it is for when not the operators: `learning` goes to the L&D Slack channel,
   * `platform-engineering` to Platform Engineering's channel (and the SES guard mails them too).
   */
  audience?: 'learning' | 'platform-engineering';
}

export interface RunRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

/** The run's page in the Temporal Web UI. */
export function runLink(uiUrl: string, run: RunRef): string {
  const e = encodeURIComponent;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${e(run.namespace)}/workflows/${e(run.workflowId)}/${e(run.runId)}`;
}

/**
 * The alert as people see it: the run it is about becomes its first facts (id and link), and its
 * SMS page (where delivered / undelivered / failed per role is recorded) its last.
 */
export function withRunLink(alert: Alert, uiUrl: string): Alert {
  if (!alert.run && !alert.smsPage) return alert;
  const run = alert.run
    ? [
        { name: 'Run', value: alert.run.workflowId },
        { name: 'Open in Temporal', value: runLink(uiUrl, alert.run) },
      ]
    : [];
  const page = alert.smsPage
    ? [
        { name: 'SMS page', value: alert.smsPage.workflowId },
        { name: 'SMS delivery', value: runLink(uiUrl, alert.smsPage) },
      ]
    : [];
  return { ...alert, facts: [...run, ...(alert.facts ?? []), ...page] };
}

const SEVERITY_ICON: Record<Severity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

/** Plain-text fallback: Slack's notification text and the Teams message body's readable part. */
export function alertText(alert: Alert): string {
  const lines = [`${SEVERITY_ICON[alert.severity]} ${alert.title}`, alert.summary];
  for (const fact of alert.facts ?? []) lines.push(`• ${fact.name}: ${fact.value}`);
  return lines.join('\n');
}

/** Slack Block Kit: header, summary section, and the facts as fields (Slack allows 10 per section). */
export function alertSlackBlocks(alert: Alert): object[] {
  const blocks: object[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${SEVERITY_ICON[alert.severity]} ${alert.title}`, 150) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(alert.summary, 3000) } },
  ];
  const facts = alert.facts ?? [];
  for (let i = 0; i < facts.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(i, i + 10)
        .map((f) => ({ type: 'mrkdwn', text: truncate(`*${f.name}*\n${f.value}`, 2000) })),
    });
  }
  if (alert.actions?.length) blocks.push(actionsBlock(alert.actions));
  return blocks;
}

/** A rendered one-click answer for channels without signed callbacks (Teams, e-mail). */
export interface ActionLink {
  title: string;
  url: string;
}

/** Adaptive Card 1.4 for Teams; action links become `Action.OpenUrl` buttons. */
export function alertAdaptiveCard(alert: Alert, links: ActionLink[] = []): object {
  const color =
    alert.severity === 'critical' ? 'Attention' : alert.severity === 'warning' ? 'Warning' : 'Default';
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: alert.title, weight: 'Bolder', size: 'Medium', color, wrap: true },
      { type: 'TextBlock', text: alert.summary, wrap: true },
      ...(alert.facts?.length
        ? [{ type: 'FactSet', facts: alert.facts.map((f) => ({ title: f.name, value: f.value })) }]
        : []),
    ],
    ...(links.length && {
      actions: links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })),
    }),
  };
}

/** The e-mail form: one line per action with its link. */
export function actionLinksText(links: ActionLink[]): string {
  return links.length
    ? `\n\nAnswer with one click (a confirmation page opens):\n${links.map((l) => `• ${l.title}: ${l.url}`).join('\n')}`
    : '';
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
