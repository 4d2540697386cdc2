// Vendor clients that count what they send, for the Workday benchmark's worker: every ERPNext HTTP
// request and every SFTP operation (list, stat, open-for-read, write) the activities make.
import type { Readable } from 'node:stream';
import { ErpnextClient } from '../../src/vendors/erpnext';
import { SftpSource, type RemoteFile } from '../../src/vendors/sftp';

export const requestCounts = { erpnext: 0, sftp: 0 };

export class CountingErpnextClient extends ErpnextClient {
  override request(method: string, path: string, json?: unknown): Promise<unknown> {
    requestCounts.erpnext++;
    return super.request(method, path, json);
  }
}

export class CountingSftpSource extends SftpSource {
  override list(dir: string): Promise<RemoteFile[]> {
    requestCounts.sftp++;
    return super.list(dir);
  }

  override size(file: string): Promise<number> {
    requestCounts.sftp++;
    return super.size(file);
  }

  override read(file: string, start = 0): Promise<Readable> {
    requestCounts.sftp++;
    return super.read(file, start);
  }

  override write(file: string, content: Buffer | string): Promise<void> {
    requestCounts.sftp++;
    return super.write(file, content);
  }
}
