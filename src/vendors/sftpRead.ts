// Pipelined reads of one remote file: several READ requests in flight, as OpenSSH's sftp and ssh2's
// fastGet do, instead of ssh2's createReadStream (one request per round trip). The window starts
// small and doubles with each chunk the reader takes, so a reader that stops early (one batch of an
// export) asks for little more than it reads, while a reader of the whole file keeps the link full.
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

export interface PipelineOptions {
  /** Bytes per READ request. */
  chunkSize: number;
  /** Most READ requests in flight. */
  maxInFlight: number;
}

export const DEFAULT_PIPELINE: PipelineOptions = { chunkSize: 64 * 1024, maxInFlight: 16 };

function readAt(sftp: SFTPWrapper, handle: Buffer, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  const read = new Promise<Buffer>((resolve, reject) =>
    // ssh2 answers EOF with 0 bytes and splits a length above the server's limit into requests.
    sftp.read(handle, buffer, 0, length, position, (err, bytesRead) =>
      err ? reject(err) : resolve(buffer.subarray(0, bytesRead)),
    ),
  );
  read.catch(() => undefined); // a reply dropped after a short read or an early stop is not an error
  return read;
}

async function* chunks(
  sftp: SFTPWrapper,
  path: string,
  start: number,
  { chunkSize, maxInFlight }: PipelineOptions,
): AsyncGenerator<Buffer> {
  const handle = await new Promise<Buffer>((resolve, reject) =>
    sftp.open(path, 'r', (err, h) => (err ? reject(err) : resolve(h))),
  );
  const inFlight: Promise<Buffer>[] = [];
  try {
    let next = start; // the first byte not yet handed out
    let requested = start;
    let window = 2;
    for (;;) {
      for (; inFlight.length < window; requested += chunkSize)
        inFlight.push(readAt(sftp, handle, requested, chunkSize));
      const data = await inFlight.shift()!;
      if (data.length === 0) return;
      next += data.length;
      yield data;
      window = Math.min(maxInFlight, window * 2);
      if (data.length < chunkSize) {
        // The server sent less than asked (end of file, or its own limit): the replies already
        // asked for would leave a gap, so drop them and go on from the end of this chunk.
        await Promise.allSettled(inFlight.splice(0));
        requested = next;
      }
    }
  } finally {
    await Promise.allSettled(inFlight);
    await new Promise<void>((resolve) => sftp.close(handle, () => resolve()));
  }
}

/**
 * The file from byte `start` to its end; destroying the stream stops the reads and closes the
 * handle. Errors (opening included) reach the reader through `mapError`.
 */
export function pipelinedReadStream(
  sftp: SFTPWrapper,
  path: string,
  start: number,
  options: PipelineOptions,
  mapError: (err: unknown) => Error,
): Readable {
  async function* mapped() {
    try {
      yield* chunks(sftp, path, start, options);
    } catch (err) {
      throw mapError(err);
    }
  }
  return Readable.from(mapped(), { objectMode: false });
}
