// When each connector's secrets were last rotated: `<NAME>_ROTATED_AT` when set, else the
// modification time of `<NAME>_FILE` (a mounted secret is rewritten on rotation). The readiness
// check reports their age; no secret value is read or kept here.
import { statSync } from 'node:fs';
import { CONNECTOR_KEYS, CONNECTORS, type ConnectorKey } from './connectors';
import type { CredentialRotation } from './domain/readiness';

type Source = Record<string, string | undefined>;

/** One entry per secret that is set, per connector; problems for unreadable dates or files. */
export function credentialRotations(
  source: Source,
  problems: string[],
): Partial<Record<ConnectorKey, CredentialRotation[]>> {
  const result: Partial<Record<ConnectorKey, CredentialRotation[]>> = {};
  for (const key of CONNECTOR_KEYS) {
    const rotations: CredentialRotation[] = [];
    for (const secret of CONNECTORS[key].secrets as readonly string[]) {
      const file = source[`${secret}_FILE`];
      if (!source[secret] && !file) continue;
      rotations.push({ secret, rotatedAt: rotatedAt(source, secret, file, problems) });
    }
    if (rotations.length) result[key] = rotations;
  }
  return result;
}

function rotatedAt(
  source: Source,
  secret: string,
  file: string | undefined,
  problems: string[],
): string | undefined {
  const setting = source[`${secret}_ROTATED_AT`];
  if (setting) {
    const ms = Date.parse(setting);
    if (Number.isNaN(ms))
      problems.push(`${secret}_ROTATED_AT must be a date such as 2026-11-30, got ${setting}`);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  if (!file) return undefined;
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return undefined; // the unreadable file is already a configuration problem
  }
}
