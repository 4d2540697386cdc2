// The SFTP subsystem of the simulator: serves a real folder on disk, chrooted, as OpenSSH's
// sftp-server does: read, write, stat, list, rename, remove, mkdir, with the files' real times.
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type SFTPWrapper, utils } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

function attrsOf(stats: Stats) {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR_MS = 182 * 24 * 3600 * 1000;

/** `-rw-r--r--` from the mode bits, as `ls -l` prints them. */
function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o120000 ? 'l' : '-';
  let bits = '';
  for (let shift = 6; shift >= 0; shift -= 3)
    bits += `${mode & (4 << shift) ? 'r' : '-'}${mode & (2 << shift) ? 'w' : '-'}${mode & (1 << shift) ? 'x' : '-'}`;
  return type + bits;
}

/**
 * The READDIR long name in OpenSSH's format (sftp-common.c `ls_file`), which its `ls -l` prints as
 * is: the time of day for a file from the last six months, else the year; server local time.
 */
export function longname(name: string, stats: Stats, now = Date.now()): string {
  const t = stats.mtime;
  const day = `${MONTHS[t.getMonth()]} ${String(t.getDate()).padStart(2)}`;
  const recent = stats.mtimeMs <= now && now - stats.mtimeMs < HALF_YEAR_MS;
  const when = recent
    ? `${day} ${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`
    : `${day}  ${t.getFullYear()}`;
  const size = String(stats.size).padStart(8);
  return `${modeString(stats.mode)} ${String(stats.nlink).padStart(3)} workday  workday  ${size} ${when} ${name}`;
}

export function serveFolder(sftp: SFTPWrapper, rootDir: string, maxReadLength = 256 * 1024): void {
  const handles = new Map<
    number,
    { kind: 'file'; fh: fs.FileHandle } | { kind: 'dir'; path: string; done: boolean }
  >();
  let nextHandle = 1;
  const toHandle = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const fromHandle = (b: Buffer) => (b.length === 4 ? b.readUInt32BE(0) : -1);
  /** Resolves a client path inside the root; `..` never escapes it. */
  const local = (p: string) => path.join(rootDir, path.posix.normalize(`/${p}`));
  const fail = (id: number, err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    const status =
      code === 'ENOENT'
        ? STATUS_CODE.NO_SUCH_FILE
        : code === 'EACCES'
          ? STATUS_CODE.PERMISSION_DENIED
          : STATUS_CODE.FAILURE;
    sftp.status(id, status, (err as Error).message);
  };

  sftp.on('REALPATH', (id, p) => {
    const resolved = path.posix.normalize(`/${p === '.' ? '' : p}`);
    sftp.name(id, [{ filename: resolved, longname: resolved, attrs: {} as never }]);
  });
  sftp.on('OPEN', (id, filename, flags) => {
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    let mode = 'r';
    if (write)
      mode = flags & OPEN_MODE.APPEND ? 'a' : flags & OPEN_MODE.TRUNC || flags & OPEN_MODE.CREAT ? 'w' : 'r+';
    fs.open(local(filename), mode).then(
      (fh) => {
        const n = nextHandle++;
        handles.set(n, { kind: 'file', fh });
        sftp.handle(id, toHandle(n));
      },
      (err) => fail(id, err),
    );
  });
  sftp.on('READ', (id, handle, offset, length) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    const buffer = Buffer.alloc(Math.min(length, maxReadLength));
    h.fh.read(buffer, 0, buffer.length, offset).then(
      ({ bytesRead }) =>
        bytesRead === 0 ? sftp.status(id, STATUS_CODE.EOF) : sftp.data(id, buffer.subarray(0, bytesRead)),
      (err) => fail(id, err),
    );
  });
  sftp.on('WRITE', (id, handle, offset, data) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    h.fh.write(data, 0, data.length, offset).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('FSTAT', (id, handle) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    h.fh.stat().then(
      (s) => sftp.attrs(id, attrsOf(s)),
      (err) => fail(id, err),
    );
  });
  const stat = (id: number, p: string): void =>
    void fs.stat(local(p)).then(
      (s) => sftp.attrs(id, attrsOf(s)),
      (err) => fail(id, err),
    );
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('CLOSE', (id, handle) => {
    const n = fromHandle(handle);
    const h = handles.get(n);
    handles.delete(n);
    if (!h) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    if (h.kind === 'dir') return sftp.status(id, STATUS_CODE.OK);
    h.fh.close().then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('OPENDIR', (id, p) => {
    fs.stat(local(p)).then(
      (s) => {
        if (!s.isDirectory()) return sftp.status(id, STATUS_CODE.FAILURE, 'not a directory');
        const n = nextHandle++;
        handles.set(n, { kind: 'dir', path: local(p), done: false });
        sftp.handle(id, toHandle(n));
      },
      (err) => fail(id, err),
    );
  });
  sftp.on('READDIR', (id, handle) => {
    const h = handles.get(fromHandle(handle));
    if (!h || h.kind !== 'dir') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    if (h.done) return sftp.status(id, STATUS_CODE.EOF);
    h.done = true;
    (async () => {
      const names = await fs.readdir(h.path);
      return Promise.all(
        names.map(async (filename) => {
          const s = await fs.stat(path.join(h.path, filename));
          return { filename, longname: longname(filename, s), attrs: attrsOf(s) };
        }),
      );
    })().then(
      (entries) =>
        entries.length === 0 ? sftp.status(id, STATUS_CODE.EOF) : sftp.name(id, entries as never),
      (err) => fail(id, err),
    );
  });
  sftp.on('REMOVE', (id, p) => {
    fs.unlink(local(p)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('RENAME', (id, from, to) => {
    fs.rename(local(from), local(to)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  sftp.on('MKDIR', (id, p) => {
    fs.mkdir(local(p)).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err),
    );
  });
  // The client ended its side (EOF, as OpenSSH's sftp does at `bye`): close the channel, else the
  // client waits for the close forever.
  sftp.on('end', () => sftp.end());
  sftp.on('close', () => {
    for (const h of handles.values()) if (h.kind === 'file') void h.fh.close().catch(() => undefined);
    handles.clear();
  });
}
