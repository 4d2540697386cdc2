// Salesforce Outbound Messages (POST /salesforce/outbound, SOAP): the endpoint URL configured in
// Salesforce carries our shared secret (`?token=`), and the raw body must name our organization.
// Each message becomes one `notify` update on the singleton Account sync, started if it is not
// running (update-with-start), with the notification ids as the update id: Salesforce's retries of
// the same message are deduplicated by Temporal (and by the workflow across continue-as-new).
// The answer is <Ack>true</Ack> only after Temporal took it; when Temporal is away, 503 and
// Salesforce retries. Never 429: Temporal is the buffer and the sync drains it at the limits' pace.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import type { Logger } from 'pino';
import { ACCOUNT_SYNC_WORKFLOW_ID, SALESFORCE_CONNECTOR } from '../domain/salesforce';
import type { IngressMetrics, IngressOutcome } from './metrics';
import type { TemporalGateway } from './temporal';
import { guarded, rawBody } from './verify';

export interface SalesforceRouteOptions {
  orgId: string;
  secret: string;
  temporal: TemporalGateway;
  metrics: IngressMetrics;
  log: Pick<Logger, 'warn'>;
}

const ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>' +
  '</notificationsResponse></soapenv:Body></soapenv:Envelope>';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  isArray: (name) => name === 'Notification',
});

export interface OutboundNotifications {
  organizationId: string;
  notificationIds: string[];
  accountIds: string[];
}

/** The notifications of an Outbound Message envelope, or undefined when it is not one. */
export function parseOutboundMessage(raw: Buffer): OutboundNotifications | undefined {
  try {
    const doc = parser.parse(raw.toString('utf8')) as {
      Envelope?: {
        Body?: {
          notifications?: {
            OrganizationId?: unknown;
            Notification?: { Id?: unknown; sObject?: { Id?: unknown } }[];
          };
        };
      };
    };
    const n = doc.Envelope?.Body?.notifications;
    if (!n || typeof n.OrganizationId !== 'string' || !n.Notification?.length) return undefined;
    const notificationIds = n.Notification.map((x) => String(x.Id ?? ''));
    if (notificationIds.some((id) => !id)) return undefined;
    return {
      organizationId: n.OrganizationId,
      notificationIds,
      accountIds: n.Notification.map((x) => String(x.sObject?.Id ?? '')).filter(Boolean),
    };
  } catch {
    return undefined;
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerSalesforceRoutes(app: FastifyInstance, options: SalesforceRouteOptions): void {
  const ctx = { vendor: 'salesforce', route: 'outbound', metrics: options.metrics };
  app.post<{ Querystring: { token?: string } }>('/salesforce/outbound', async (request, reply) => {
    let message: OutboundNotifications | undefined;
    return guarded(
      ctx,
      request,
      reply,
      () => {
        if (!sameSecret(request.query.token, options.secret))
          return { ok: false, outcome: 'refused_signature' };
        message = parseOutboundMessage(rawBody(request));
        // Another org's message (or none): refused as unauthenticated, never acknowledged.
        if (!message || message.organizationId !== options.orgId) return { ok: false, outcome: 'refused' };
        return { ok: true };
      },
      async (): Promise<IngressOutcome> => {
        const { notificationIds, accountIds } = message!;
        const outcome = await options.temporal.updateWithStart({
          workflowType: 'salesforceAccountSync',
          workflowId: ACCOUNT_SYNC_WORKFLOW_ID,
          args: {},
          update: 'notify',
          updateArgs: { notificationIds, accountIds },
          updateId: `sf-outbound-${notificationIds.join('-')}`.slice(0, 400),
          connector: SALESFORCE_CONNECTOR,
        });
        if (outcome.status === 'refused') {
          // A message the sync refuses will be refused on every retry: acknowledge it and say why.
          options.log.warn({ reason: outcome.reason }, 'Salesforce outbound message refused by the sync');
        }
        void reply.code(200).type('text/xml; charset=utf-8').send(ACK);
        const duplicate =
          outcome.status === 'done' && (outcome.result as { duplicate?: boolean } | undefined)?.duplicate;
        return duplicate ? 'duplicate' : outcome.status === 'refused' ? 'refused' : 'accepted';
      },
      (err) =>
        options.log.warn(
          { err: (err as Error).message },
          'Temporal did not take a Salesforce outbound message',
        ),
    );
  });
}
