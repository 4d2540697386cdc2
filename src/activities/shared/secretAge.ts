// When a hand-rotated secret was last replaced: the time an operator recorded, else the mtime of
// the file it is mounted from (a docker/k8s secret is a new file on rotation).
import { statSync } from 'node:fs';

export function secretRotatedAt(recorded?: string, file?: string): string | undefined {
  if (recorded) return new Date(recorded).toISOString();
  if (!file) return undefined;
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return undefined;
  }
}
