// Workday Human_Resources SOAP simulator over HTTPS: Get_Workers served from ./Human_Resources.wsdl
// by the `soap` package (serverless mode inside the kit's Fastify server, so recording and fault
// injection work as for every simulator). WS-Security UsernameToken `user@tenant` + PasswordText,
// paging with Response_Results, As_Of_Entry_DateTime snapshots, the Updated_*/Effective_* windows.
// All faults are HTTP 500 SOAP 1.1 Faults. Admin (never authenticated or faulted):
//   GET/POST/DELETE /__admin/workers, POST /__admin/workers/generate, POST /__admin/soap-faults.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as soap from 'soap';
import {
  ADMIN_PREFIX,
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';
import { registerWorkdayAdminRoutes } from './admin';
import { createWorkdayState, queryWorkers, type WorkdaySimState } from './state';
import {
  authenticationFault,
  parseGetWorkers,
  soapFault,
  textOf,
  validationFault,
  widFor,
  workerElement,
  type SoapFault,
} from './wire';

export const WSDL_FILE = path.join(__dirname, 'Human_Resources.wsdl');

export interface WorkdaySimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  /** Tenant in the URL and after the `@` of the user name (default `acme`). */
  tenant?: string;
  /** The Integration System User, without `@tenant` (default `ISU_Integrations`). */
  username?: string;
  password?: string;
}

export const WORKDAY_DEFAULTS = {
  tenant: 'acme',
  username: 'ISU_Integrations',
  password: 'sim-workday-password',
};

type Obj = Record<string, unknown>;

function faultEnvelope(faultcode: string, faultstring: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>' +
    `<SOAP-ENV:Fault><faultcode>${esc(faultcode)}</faultcode><faultstring>${esc(faultstring)}</faultstring>` +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}

/** Injected HTTP faults (/__admin/faults): 500 is a server-side SOAP fault; 503/429 come from the edge. */
function workdayFaultBody(status: number, message: string): string {
  if (status === 500) return faultEnvelope('SOAP-ENV:Server.processingFault', message);
  if (status === 401)
    return faultEnvelope('SOAP-ENV:Client.authenticationError', 'invalid username or password');
  if (status === 404) return faultEnvelope('SOAP-ENV:Client', message);
  return `${status} ${message}`;
}

function checkCredentials(
  headers: unknown,
  tenant: string,
  expected: Required<Pick<WorkdaySimulatorOptions, 'tenant' | 'username' | 'password'>>,
): void {
  const token = ((headers as Obj | undefined)?.Security as Obj | undefined)?.UsernameToken as Obj | undefined;
  const username = textOf(token?.Username);
  const password = textOf(token?.Password);
  if (
    tenant !== expected.tenant ||
    username !== `${expected.username}@${expected.tenant}` ||
    password !== expected.password
  )
    throw authenticationFault();
}

export async function startWorkdaySimulator(
  options: WorkdaySimulatorOptions,
): Promise<HttpSimulator<WorkdaySimState>> {
  if (!options.tls) throw new Error('The Workday simulator serves HTTPS only: pass tls');
  const expected = {
    tenant: options.tenant ?? WORKDAY_DEFAULTS.tenant,
    username: options.username ?? WORKDAY_DEFAULTS.username,
    password: options.password ?? WORKDAY_DEFAULTS.password,
  };
  const wsdlXml = readFileSync(WSDL_FILE, 'utf8');
  let ctxRef: SimulatorContext<WorkdaySimState> | undefined;

  function getWorkers(args: unknown, headers: unknown, url: string): unknown {
    const ctx = ctxRef!;
    const tenant = /\/ccx\/service\/([^/]+)\//.exec(url)?.[1] ?? '';
    checkCredentials(headers, tenant, expected);
    const queued = ctx.state.soapFaults[0];
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) ctx.state.soapFaults.shift();
      throw soapFault(queued.faultcode, queued.faultstring);
    }
    const request = parseGetWorkers(args, Date.now());
    const state = ctx.state;
    if (request.query.ids) {
      const byWid = new Map([...state.versions.keys()].map((id) => [`wid:${widFor(id)}`, id]));
      request.query.ids = request.query.ids.map((id) => {
        const resolved = id.startsWith('wid:') ? byWid.get(id) : id;
        if (!resolved || !state.versions.has(resolved))
          throw validationFault(
            `Invalid ID value.  '${id.replace(/^wid:/, '')}' is not a valid ID value for type = '${id.startsWith('wid:') ? 'WID' : 'Employee_ID'}'`,
            '/ns0:Get_Workers_Request[1]/ns0:Request_References[1]',
          );
        return resolved;
      });
    }
    const matches = queryWorkers(state, request.query);
    const totalPages = Math.ceil(matches.length / request.count);
    if (request.page > Math.max(1, totalPages))
      throw validationFault(
        `Page ${request.page} is beyond the last page (${totalPages})`,
        '/ns0:Get_Workers_Request[1]/ns0:Response_Filter[1]/ns0:Page[1]',
      );
    const pageItems = matches.slice((request.page - 1) * request.count, request.page * request.count);
    return {
      attributes: { 'wd:version': request.version },
      Response_Filter: {
        As_Of_Effective_Date: request.echo.asOfEffective,
        As_Of_Entry_DateTime: request.echo.asOfEntry,
        Page: String(request.page),
        Count: String(request.count),
      },
      Response_Results: {
        Total_Results: String(matches.length),
        Total_Pages: String(totalPages),
        Page_Results: String(pageItems.length),
        Page: String(request.page),
      },
      Response_Data: {
        Worker: pageItems.map((v) =>
          workerElement(v.worker, request.include, request.query.asOfEffective ?? request.echo.asOfEffective),
        ),
      },
    };
  }

  const soapServer = await new Promise<soap.Server>((resolve, reject) => {
    const server: soap.Server = soap.listen(
      null as never,
      {
        path: '/ccx/service',
        xml: wsdlXml,
        envelopeKey: 'SOAP-ENV',
        suppressStack: true,
        // Keep dates and numbers as sent: Workday's offsets must survive, and validation is ours.
        customDeserializer: {
          dateTime: (t: string) => t,
          date: (t: string) => t,
          decimal: (t: string) => t,
        },
        services: {
          Human_ResourcesService: {
            Human_Resources: {
              Get_Workers(args: unknown, _cb: unknown, headers: unknown, req: { url: string }) {
                return getWorkers(args, headers, req.url);
              },
            },
          },
        },
        callback: (err: unknown) => (err ? reject(err as Error) : resolve(server)),
      } as never,
    ) as soap.Server;
  });

  return startHttpSimulator<WorkdaySimState>({
    name: 'workday',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: () => ({ ...createWorkdayState(), soapFaults: [] }),
    faultBody: workdayFaultBody,
    routes(app: FastifyInstance, ctx) {
      ctxRef = ctx;
      app.addContentTypeParser(
        ['text/xml', 'application/soap+xml', 'application/xml'],
        { parseAs: 'string' },
        (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
          done(null, body.toString()),
      );
      // SOAP answers are XML whatever path produced them (including the kit's injected faults).
      app.addHook('onSend', async (request, reply, payload) => {
        if (!request.url.startsWith(ADMIN_PREFIX) && typeof payload === 'string' && payload.startsWith('<'))
          reply.header('content-type', 'text/xml; charset=utf-8');
        return payload;
      });

      const serviceRoutes = [
        '/ccx/service/:tenant/Human_Resources',
        '/ccx/service/:tenant/Human_Resources/:version',
      ];
      for (const route of serviceRoutes) {
        app.get(route, async (request: FastifyRequest, reply: FastifyReply) => {
          if (!('wsdl' in (request.query as Obj))) return ctx.sendError(reply, 404, 'GET serves only ?wsdl');
          const base = request.url.split('?')[0];
          return reply
            .type('text/xml; charset=utf-8')
            .send(wsdlXml.replace(/location="[^"]*"/, `location="${ctx.url}${base}"`));
        });
        app.post(route, async (request: FastifyRequest, reply: FastifyReply) => {
          const body = typeof request.body === 'string' ? request.body : '';
          if (!body.trim()) return reply.code(500).send(faultEnvelope('SOAP-ENV:Client', 'empty request'));
          let result: soap.IServerlessResponse;
          try {
            result = await soapServer.processRequest(body, {
              url: request.url,
              method: 'POST',
              headers: request.headers as Record<string, string>,
            });
          } catch (err) {
            const fault = (err as Partial<SoapFault>).Fault;
            return reply
              .code(500)
              .send(faultEnvelope(fault?.faultcode ?? 'SOAP-ENV:Client', fault?.faultstring ?? String(err)));
          }
          // The soap package answers unparseable XML with a bare message: make it a SOAP fault.
          if (!result.body.startsWith('<'))
            return reply.code(500).send(faultEnvelope('SOAP-ENV:Client', 'malformed SOAP envelope'));
          return reply.code(result.statusCode).send(result.body);
        });
      }

      registerWorkdayAdminRoutes(app, ctx);
    },
  });
}
