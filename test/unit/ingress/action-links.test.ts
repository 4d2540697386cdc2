// Teams/e-mail action links: a GET (what link scanners and previews do) only shows a page; the
// POST acts once; expired, tampered and CAB links act on nothing.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { mintActionLink } from '../../../src/actionLinks';
import { useAuditWriter, type AuditRecord } from '../../../src/audit';
import { cabActions, renewalReminderActions } from '../../../src/domain/alertActions';
import { registerActionLinkRoutes } from '../../../src/ingress/actionLinks';
import { createIngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { FakeTemporal } from '../../helpers/ingress';

const SECRET = 'link-secret';
const NOW = Date.parse('2026-11-30T14:02:00Z');
const WF = 'certificate-renewal-erp.example.com';
const settings = { baseUrl: 'https://integrations.example.com', secret: SECRET };
const [acknowledge] = renewalReminderActions(WF);
const [approve] = cabActions(WF);

describe('ingress: action links', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let audit: AuditRecord[];
  let clock = NOW;

  beforeEach(() => {
    clock = NOW;
    audit = [];
    useAuditWriter((r) => audit.push(r));
    temporal = new FakeTemporal();
    app = createIngressServer(createIngressMetrics());
    registerActionLinkRoutes(app, {
      secret: SECRET,
      temporal,
      metrics: createIngressMetrics(),
      log: pino({ level: 'silent' }),
      now: () => clock,
    });
  });
  afterEach(async () => {
    await app.close();
    useAuditWriter(() => {});
  });

  const path = (url: string) => new URL(url).pathname;

  it('shows a confirmation page on GET and acts only on the POST, once', async () => {
    const link = mintActionLink(settings, acknowledge!, 'oncall@example.com', NOW);
    for (let i = 0; i < 3; i++) {
      const shown = await app.inject({ method: 'GET', url: path(link) });
      assert.equal(shown.statusCode, 200);
      assert.match(shown.body, /<form method="post">/);
      assert.match(shown.body, /Sent to oncall@example\.com\. Nothing has been done yet\./);
    }
    assert.equal(temporal.applied.length, 0, 'a scanner GET changes nothing');

    const done = await app.inject({ method: 'POST', url: path(link) });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Acknowledged by oncall@example\.com, 14:02 UTC/);
    const again = await app.inject({ method: 'POST', url: path(link) });
    assert.equal(again.statusCode, 200);
    assert.equal(temporal.applied.length, 1, 'single use: the second POST acts on nothing');
    assert.deepEqual(temporal.applied[0]?.args, { who: 'oncall@example.com' });
    assert.equal(audit[0]?.detail?.sentTo, 'oncall@example.com');
    assert.match(String(audit[0]?.detail?.link), /^[0-9a-f-]{36}$/);
  });

  it('refuses an expired link (410) and a tampered one (401) without acting', async () => {
    const link = mintActionLink({ ...settings, ttlMs: 60_000 }, acknowledge!, 'oncall@example.com', NOW);
    clock = NOW + 61_000;
    assert.equal((await app.inject({ method: 'POST', url: path(link) })).statusCode, 410);
    assert.equal((await app.inject({ method: 'GET', url: path(link) })).statusCode, 410);
    clock = NOW;
    const [body, sig] = path(link).slice('/actions/'.length).split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { to: string };
    const forged = Buffer.from(JSON.stringify({ ...claims, to: 'mallory@example.com' })).toString(
      'base64url',
    );
    assert.equal((await app.inject({ method: 'POST', url: `/actions/${forged}.${sig}` })).statusCode, 401);
    assert.equal(temporal.applied.length, 0);
  });

  it('does not take CAB decisions from a link', async () => {
    const link = mintActionLink(settings, approve!, 'cab@example.com', NOW);
    assert.equal((await app.inject({ method: 'POST', url: path(link) })).statusCode, 403);
    assert.equal(temporal.applied.length, 0);
    assert.equal(audit[0]?.outcome, 'rejected');
  });
});
