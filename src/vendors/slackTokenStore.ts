// Where the rotating Slack bot token lives: never in workflow history. The default store is a JSON
// file with mode 0600 on a volume the workers share; it is replaced atomically (write + rename), and
// readers re-read it when its mtime changes. Pluggable: anything with read() and write().
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SlackTokenRecord {
  accessToken: string;
  refreshToken: string;
  /** ISO; when Slack stops accepting `accessToken`. */
  expiresAt: string;
  /** ISO; when it was issued. */
  refreshedAt: string;
}

export interface SlackTokenStore {
  read(): SlackTokenRecord | undefined;
  write(record: SlackTokenRecord): void;
}

export class FileTokenStore implements SlackTokenStore {
  private cached?: { version: string; record: SlackTokenRecord };

  constructor(private readonly path: string) {}

  read(): SlackTokenRecord | undefined {
    let version: string;
    try {
      // A replacement is a new file (rename): its inode changes even within one mtime tick.
      const stat = statSync(this.path);
      version = `${stat.ino}:${stat.mtimeMs}`;
    } catch {
      return undefined;
    }
    if (this.cached?.version !== version) {
      const record = JSON.parse(readFileSync(this.path, 'utf8')) as SlackTokenRecord;
      this.cached = { version, record };
    }
    return this.cached.record;
  }

  write(record: SlackTokenRecord): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
    this.cached = undefined;
  }
}

/** The token to call Slack with, or why there is none: an expired token is never used. */
export function usableToken(
  record: SlackTokenRecord | undefined,
  nowMs = Date.now(),
): { token: string } | { problem: string } {
  if (!record) return { problem: 'no Slack token in the store yet (the rotation workflow writes it)' };
  if (Date.parse(record.expiresAt) <= nowMs)
    return { problem: `the Slack token expired at ${record.expiresAt} (refresh failed?)` };
  return { token: record.accessToken };
}

/** A SlackClient token source over a store: the current token, or a throw naming why none is usable. */
export function storedTokenSource(store: SlackTokenStore): () => string {
  return () => {
    const usable = usableToken(store.read());
    if ('problem' in usable) throw new Error(usable.problem);
    return usable.token;
  };
}
