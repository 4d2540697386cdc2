// Frappe API authentication: `Authorization: token key:secret` or `Basic base64(key:secret)`.
import type { FastifyRequest } from 'fastify';

export interface ApiCredentials {
  apiKey: string;
  apiSecret: string;
  /** The user the key belongs to; requests act as this user. */
  user: string;
}

/** `guest` when no Authorization header was sent, `invalid` when it does not match. */
export type AuthResult = { user: string } | 'guest' | 'invalid';

export function authenticate(request: FastifyRequest, credentials: ApiCredentials): AuthResult {
  const header = request.headers.authorization;
  if (!header) return 'guest';
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  let pair: string;
  if (scheme.toLowerCase() === 'token') pair = value;
  else if (scheme.toLowerCase() === 'basic') pair = Buffer.from(value, 'base64').toString('utf8');
  else return 'invalid';
  const colon = pair.indexOf(':');
  if (colon < 0) return 'invalid';
  const key = pair.slice(0, colon);
  const secret = pair.slice(colon + 1);
  return key === credentials.apiKey && secret === credentials.apiSecret
    ? { user: credentials.user }
    : 'invalid';
}
