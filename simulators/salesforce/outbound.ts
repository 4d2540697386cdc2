// Outbound Messages: the SOAP notification a Flow or workflow rule sends, retried until the endpoint
// answers <Ack>true</Ack> (Salesforce keeps trying for 24 hours with growing gaps; here the gaps are
// given). `ignoreAcks` drops that many acknowledgements, as a lost answer would.
import { setTimeout as sleep } from 'node:timers/promises';
import { newId, type SalesforceState } from './state';

export interface OutboundRequest {
  url: string;
  accountIds: string[];
  ignoreAcks?: number;
  retryDelaysMs?: number[];
  maxAttempts?: number;
}

export interface OutboundDelivery {
  id: string;
  notificationIds: string[];
  attempts: { at: string; status: number | string; acknowledged: boolean }[];
  acknowledged: boolean;
  done: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function outboundEnvelope(
  state: SalesforceState,
  notifications: { id: string; accountId: string }[],
  baseUrl: string,
): string {
  const items = notifications
    .map(({ id, accountId }) => {
      const a = state.accounts.get(accountId);
      return `<Notification><Id>${id}</Id><sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${accountId}</sf:Id>${a ? `<sf:Name>${escape(a.Name)}</sf:Name>` : ''}</sObject></Notification>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
    `<OrganizationId>${state.orgId}</OrganizationId><ActionId>04k000000000001AAA</ActionId><SessionId xsi:nil="true"/>` +
    `<EnterpriseUrl>${baseUrl}/services/Soap/c/60.0/${state.orgId}</EnterpriseUrl><PartnerUrl>${baseUrl}/services/Soap/u/60.0/${state.orgId}</PartnerUrl>` +
    `${items}</notifications></soapenv:Body></soapenv:Envelope>`
  );
}

export function sendOutbound(
  state: SalesforceState,
  request: OutboundRequest,
  baseUrl: string,
): OutboundDelivery {
  const notifications = request.accountIds.map((accountId) => ({ id: newId(state, '04l'), accountId }));
  const body = outboundEnvelope(state, notifications, baseUrl);
  const delivery: OutboundDelivery = {
    id: newId(state, '04m'),
    notificationIds: notifications.map((n) => n.id),
    attempts: [],
    acknowledged: false,
    done: false,
  };
  const delays = request.retryDelaysMs ?? [50, 100, 200, 400, 800, 1600];
  const maxAttempts = request.maxAttempts ?? 20;
  let ignore = request.ignoreAcks ?? 0;
  void (async () => {
    for (let attempt = 0; attempt < maxAttempts && !delivery.acknowledged; attempt++) {
      if (attempt > 0) await sleep(delays[Math.min(attempt - 1, delays.length - 1)]);
      let status: number | string;
      let acked = false;
      try {
        const response = await fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
          body,
        });
        status = response.status;
        acked = response.ok && /<(\w+:)?Ack>\s*true\s*<\/(\w+:)?Ack>/.test(await response.text());
      } catch (err) {
        status = (err as Error).message;
      }
      if (acked && ignore > 0) {
        ignore--;
        acked = false;
      }
      delivery.attempts.push({ at: new Date().toISOString(), status, acknowledged: acked });
      delivery.acknowledged = acked;
    }
    delivery.done = true;
  })();
  return delivery;
}
