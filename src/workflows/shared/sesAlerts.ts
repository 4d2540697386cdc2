// The alerts of the SES reputation guard: a warning at the warn rate, a critical alert to Platform
// Engineering when non-critical mail pauses (audience `platform-engineering`: their Slack channel,
// and mailed to them by sesFeedback), and a note to them when it resumes.
import type { Alert } from '../../domain/alert';
import {
  percent,
  type Reputation,
  type ReputationLevel,
  type ReputationThresholds,
} from '../../domain/sesFeedback';

export function reputationAlert(
  r: Reputation,
  before: ReputationLevel,
  t: ReputationThresholds,
): Alert | undefined {
  const facts = [
    { name: 'Configuration set', value: r.configurationSet },
    { name: 'Bounce rate', value: `${percent(r.bounceRate)} (${r.bounces} of ${r.sent})` },
    { name: 'Complaint rate', value: `${percent(r.complaintRate)} (${r.complaints} of ${r.sent})` },
    { name: 'Window', value: `${t.windowDays} days` },
  ];
  if (r.level === 'paused')
    return {
      title: `SES reputation: non-critical mail paused (${r.configurationSet})`,
      severity: 'critical',
      summary:
        `Platform Engineering: bounce rate ${percent(r.bounceRate)}, complaint rate ${percent(r.complaintRate)} ` +
        `on ${r.configurationSet}, at or over the pause line (${percent(t.bouncePause)} bounces). The digest ` +
        `e-mail is paused; alerts still go out. SES reviews the account at 5% and pauses it at 10%: ` +
        `cleanse the lists (\`npm run cli -- ses suppressions list\`).`,
      facts,
      connector: 'ses',
      audience: 'platform-engineering',
    };
  if (r.level === 'warn' && before === 'ok')
    return {
      title: `SES reputation warning (${r.configurationSet})`,
      severity: 'warning',
      summary: `Bounce rate ${percent(r.bounceRate)} on ${r.configurationSet} is over ${percent(t.bounceWarn)}; non-critical mail pauses at ${percent(t.bouncePause)}.`,
      facts,
      connector: 'ses',
    };
  if (before === 'paused')
    return {
      title: `SES reputation: non-critical mail resumes (${r.configurationSet})`,
      severity: 'info',
      summary: `Bounce rate ${percent(r.bounceRate)} on ${r.configurationSet} is back under ${percent(t.bouncePause)}.`,
      facts,
      connector: 'ses',
      audience: 'platform-engineering',
    };
  return undefined;
}
