// The Outbound Message route: acknowledged only after Temporal took the notification, one update per
// message (a redelivery answered from the first), a wrong token or another org refused without an
// Ack, a Temporal outage answered 503 (Salesforce retries) and never 429.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createIngressMetrics } from '../../../src/ingress/metrics';
import { registerSalesforceRoutes } from '../../../src/ingress/salesforce';
import { createIngressServer } from '../../../src/ingress/server';
import { FakeTemporal } from '../../helpers/ingress';

const ORG = '00D000000000001AAA';
const TOKEN = 'outbound-token';

const envelope = (org: string, notificationId: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
  `<OrganizationId>${org}</OrganizationId><ActionId>04k000000000001AAA</ActionId>` +
  `<Notification><Id>${notificationId}</Id><sObject xmlns:sf="urn:sobject.enterprise.soap.sforce.com">` +
  '<sf:Id>001000000000001AAA</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>';

describe('ingress: Salesforce Outbound Messages', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;

  beforeEach(() => {
    temporal = new FakeTemporal();
    app = createIngressServer(createIngressMetrics());
    registerSalesforceRoutes(app, {
      orgId: ORG,
      secret: TOKEN,
      temporal,
      metrics: createIngressMetrics(),
      log: { warn: () => undefined },
    });
  });
  afterEach(() => app.close());

  const post = (body: string, token = TOKEN) =>
    app.inject({
      method: 'POST',
      url: `/salesforce/outbound?token=${token}`,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });

  it('acknowledges after one notify update, and a redelivery without a second one', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await post(envelope(ORG, '04l000000000001AAA'));
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<Ack>true<\/Ack>/);
    }
    assert.equal(temporal.applied.length, 1);
    assert.equal(temporal.applied[0]?.workflowId, 'salesforce-account-sync');
    assert.deepEqual(temporal.applied[0]?.args, {
      notificationIds: ['04l000000000001AAA'],
      accountIds: ['001000000000001AAA'],
    });
  });

  it('refuses a wrong token or another org without an Ack, and answers 503 while Temporal is away', async () => {
    assert.equal((await post(envelope(ORG, '04l1'), 'wrong')).statusCode, 401);
    assert.equal((await post(envelope('00D000000000009ZZZ', '04l2'))).statusCode, 401);
    assert.equal((await post('<not-soap/>')).statusCode, 401);
    temporal.down = true;
    const res = await post(envelope(ORG, '04l3'));
    assert.equal(res.statusCode, 503);
    assert.doesNotMatch(res.body, /Ack/);
    assert.equal(temporal.applied.length, 0);
  });
});
