// Action links for Teams cards and e-mails (the failover path, where no signed vendor callback
// exists): `/actions/{token}`, the token an HMAC-signed claim bound to the workflow, the action,
// its argument, the recipient it was sent to and an expiry (24 h by default). Minted by the worker
// when it renders an alert, checked by the ingress. Single use comes from Temporal: the update id is
// the token's id, so a second POST returns the first outcome and acts on nothing.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ActionLink } from './domain/alert';
import { isAlertActionKind, type AlertAction, type AlertActionKind } from './domain/alertActions';

export const DEFAULT_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export interface ActionLinkClaims {
  /** The link's id: the update id, and what the audit line names. */
  id: string;
  workflowId: string;
  kind: AlertActionKind;
  target?: string;
  /** Who it was sent to: an e-mail address or `teams:<channel>`. */
  to: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

export interface ActionLinkSettings {
  /** The ingress's public base URL, e.g. https://integrations.example.com */
  baseUrl: string;
  secret: string;
  ttlMs?: number;
}

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function mintActionLink(
  settings: ActionLinkSettings,
  action: AlertAction,
  to: string,
  nowMs = Date.now(),
): string {
  const claims: ActionLinkClaims = {
    id: randomUUID(),
    workflowId: action.workflowId,
    kind: action.kind,
    ...(action.target && { target: action.target }),
    to,
    exp: nowMs + (settings.ttlMs ?? DEFAULT_LINK_TTL_MS),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${settings.baseUrl.replace(/\/$/, '')}/actions/${body}.${mac(settings.secret, body)}`;
}

export type LinkCheck = { ok: true; claims: ActionLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

export function readActionLink(secret: string, token: string, nowMs = Date.now()): LinkCheck {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(mac(secret, body));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
    return { ok: false, reason: 'invalid' };
  let claims: ActionLinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ActionLinkClaims;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (
    !isAlertActionKind(claims.kind) ||
    typeof claims.workflowId !== 'string' ||
    typeof claims.to !== 'string'
  )
    return { ok: false, reason: 'invalid' };
  if (!(claims.exp > nowMs)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** One link per action for a recipient; none when links are not configured. */
export function actionLinksFor(
  settings: ActionLinkSettings | undefined,
  actions: AlertAction[] | undefined,
  to: string,
): ActionLink[] {
  if (!settings || !actions) return [];
  return actions.map((a) => ({ title: a.label, url: mintActionLink(settings, a, to) }));
}
