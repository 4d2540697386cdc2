// `/api/method/{dotted.path}` RPC endpoints (also under /api/v1). Add a method by adding an entry.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../../kit/http-simulator';
import { authenticate, type ApiCredentials } from '../auth';
import { frappeErrorBody } from '../errors';
import type { ErpnextState } from '../state';

export interface MethodCall {
  user: string;
  args: Record<string, unknown>;
  state: ErpnextState;
}

interface MethodDef {
  allowGuest?: boolean;
  handler: (call: MethodCall) => unknown;
}

export const METHODS: Record<string, MethodDef> = {
  ping: { allowGuest: true, handler: () => 'pong' },
  'frappe.auth.get_logged_user': { handler: ({ user }) => user },
};

export function registerMethodRoutes(
  app: FastifyInstance,
  ctx: SimulatorContext<ErpnextState>,
  credentials: ApiCredentials,
): void {
  const handle = async (request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    const auth = authenticate(request, credentials);
    if (auth === 'invalid') {
      return reply.code(401).send(frappeErrorBody('AuthenticationError', 'Invalid API key or secret'));
    }
    const def = METHODS[request.params.method];
    if (!def) {
      const message = `Failed to get method for command ${request.params.method}`;
      return reply.code(404).send(frappeErrorBody('DoesNotExistError', message));
    }
    // As in Frappe, a request without credentials runs as Guest and may call only allow_guest methods.
    if (auth === 'guest' && !def.allowGuest) {
      return reply.code(403).send(frappeErrorBody('PermissionError', 'Not permitted'));
    }
    const args = {
      ...(request.query as Record<string, unknown>),
      ...((request.body as Record<string, unknown> | undefined) ?? {}),
    };
    const user = auth === 'guest' ? 'Guest' : auth.user;
    return { message: def.handler({ user, args, state: ctx.state }) };
  };
  for (const prefix of ['/api/method', '/api/v1/method']) {
    app.get(`${prefix}/:method`, handle);
    app.post(`${prefix}/:method`, handle);
  }
}
