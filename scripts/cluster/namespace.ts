// What the docker images' auto-setup does and the bare server does not: the `default` namespace and
// the `Connector` search attribute every workflow upserts. Safe to run again on a running cluster.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { CONNECTOR_KEY } from '../../src/domain/search-attributes';

const ALREADY_EXISTS = 6;

export async function connectWhenUp(address: string, timeoutMs = 120_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} did not answer: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const exists = (err: unknown) => (err as { code?: number }).code === ALREADY_EXISTS;

export async function registerNamespace(connection: Connection, namespace = 'default', retentionDays = 7) {
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) })
    .catch((err: unknown) => {
      if (!exists(err)) throw err;
    });
  // The frontend's namespace cache refreshes on its own clock: wait until the namespace is usable.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: {
          [CONNECTOR_KEY.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        },
      });
      break;
    } catch (err) {
      if (exists(err)) break;
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
