// Demo data for `npm start`, so the first runs show every path: today's Workday export over SFTP
// (2,000 workers, about 1% invalid rows for the quarantine), one employee the US ERPNext site
// refuses (a site validation rule: the import dead-letters it), and one intraday change in Workday
// for the hourly delta to pick up; 50 Salesforce Accounts for the Account sync.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';
import type { startAllSimulators } from '../simulators/run-all';
import { SIMULATOR_CREDENTIALS } from './local-env';
import { generateWorkdayExport } from './seed-workday';

type Simulators = Awaited<ReturnType<typeof startAllSimulators>>;

const DEMO_ROWS = 2000;

export async function seedDemoData(sims: Simulators, say: (line: string) => void): Promise<void> {
  const exportsDir = path.join(sims.sftp.rootDir, 'exports');
  mkdirSync(exportsDir, { recursive: true });
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const file = `workers_${today}.csv`;
  const seeded = generateWorkdayExport({ rows: DEMO_ROWS, seed: 42, invalidRate: 0.01 });
  const refusedId = seeded.validIds.us[9]!;
  if (!existsSync(path.join(exportsDir, file))) {
    writeFileSync(path.join(exportsDir, file), seeded.content);
    say(`Workday export ${file}: ${DEMO_ROWS} rows, ${seeded.invalidRows.length} invalid`);
  } else {
    say(`Workday exports: ${readdirSync(exportsDir).join(', ')}`);
  }

  const { post, close } = adminPoster(sims.caFile);
  await post(`${sims.erpnext.url}/__admin/validation-rules`, {
    doctype: 'Employee',
    field: 'employee_number',
    equals: refusedId,
    message: `Employee ${refusedId} is on legal hold: changes need HR approval`,
  });
  await post(`${sims.workday.url}/__admin/workers`, {
    workers: [{ employeeId: 'W100001', jobTitle: 'Staff Engineer' }],
  });
  // Salesforce Accounts for the Account sync: most billed in the US, some in Germany (EU site only).
  await post(`${sims.salesforce.url}/__admin/salesforce/accounts`, {
    count: 40,
    country: 'US',
    namePrefix: 'Demo US',
  });
  await post(`${sims.salesforce.url}/__admin/salesforce/accounts`, {
    count: 10,
    country: 'DE',
    namePrefix: 'Demo DE',
  });
  await close();
  say('Salesforce: 50 Accounts (10 billed in Germany: the sync writes those only to the EU ERPNext)');
  say(`ERPNext (US) refuses ${refusedId}: the import sends it to the dead-letter queue dlq-erpnext`);
}

/** POSTs to simulators' admin APIs over their local CA. */
function adminPoster(caFile: string) {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
  const post = async (url: string, body: object): Promise<unknown> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...({ dispatcher } as object),
    });
    if (!response.ok) throw new Error(`${url} → HTTP ${response.status}`);
    return response.json();
  };
  return { post, close: () => dispatcher.close() };
}

/**
 * Subscribes the Zoom simulator's webhook to the local ingress (it runs the URL validation) and
 * ends one demo training, so a `zoomTrainingAttendance` run shows in the UI.
 */
export async function connectZoomDemo(sims: Simulators, webhookUrl: string, say: (line: string) => void) {
  const { post, close } = adminPoster(sims.caFile);
  try {
    const { validated } = (await post(`${sims.zoom.url}/__admin/webhook`, {
      url: webhookUrl,
      secret: SIMULATOR_CREDENTIALS.zoomWebhookSecret,
    })) as { validated: boolean };
    say(`Zoom webhook → ${webhookUrl}: URL validation ${validated ? 'passed' : 'FAILED'}`);
    const object = {
      uuid: `demo-${new Date().toISOString().slice(0, 10)}==`,
      id: '85746065432',
      topic: 'Training: Temporal basics',
      start_time: new Date(Date.now() - 3_600_000).toISOString(),
      end_time: new Date().toISOString(),
    };
    await post(`${sims.zoom.url}/__admin/meetings`, {
      ...object,
      participants: [
        { name: 'Guest speaker', user_email: 'speaker@partner.example', duration: 3600 },
        { name: 'Dial-in', user_email: '', duration: 1200 },
      ],
    });
    await post(`${sims.zoom.url}/__admin/webhook/send`, { event: 'meeting.ended', payload: { object } });
  } finally {
    await close();
  }
}
