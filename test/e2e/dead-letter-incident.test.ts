// An incident ServiceNow would not take is not lost: a Tableau refresh that fails while ServiceNow
// refuses the import (a 400: retrying the same request cannot help) puts the incident event into
// `dlq-servicenow`; once ServiceNow is fixed an operator's redrive raises it, exactly once. On the dev server: the queue's 7-day timers run in real time.
import assert from 'node:assert/strict';
import { refreshInputForDrift } from '../../src/domain/tableau';
import type { DeadLetterItemSummary, RedriveResult } from '../../src/domain/deadLetter';
import { useE2eStack } from '../helpers/e2e';
import { ServicenowSimAccess } from '../helpers/servicenow';
import { admin } from '../helpers/simulators';
import { waitFor } from '../helpers/waitFor';
import { tableauExtractRefresh } from '../../src/workflows';

describe('e2e: dead-lettered incident and its redrive', () => {
  const stack = useE2eStack('integrations-e2e-dead-letter');

  it('queues the incident event ServiceNow refused and raises it on redrive', async () => {
    const { env, simulators, caPem, config } = stack();
    const { tableau, servicenow } = simulators.sims;
    await admin(
      tableau.url,
      'datasources/Workday Headcount/schema-error',
      { column: 'cost_center', sticky: true },
      caPem,
    );
    await admin(servicenow.url, 'faults', { status: 400, path: '/api/now/import/', times: 1 }, caPem);

    const report = await env.client.workflow.execute(tableauExtractRefresh, {
      taskQueue: config.taskQueue,
      workflowId: 'tableau-refresh-dead-letter-e2e',
      args: [
        {
          ...refreshInputForDrift({ newFields: ['cost_center_hierarchy'] }),
          pollInitialSeconds: 1,
          pollMaxSeconds: 2,
        },
      ],
    });
    const head = report.datasources.find((d) => d.name === 'Workday Headcount')!;
    assert.equal(head.outcome, 'failed');
    assert.deepEqual(report.incidents, [], 'ServiceNow refused the incident');

    // The queue takes the item by signal: a query sees it once the queue's next task ran.
    const queue = env.client.workflow.getHandle('dlq-servicenow');
    const items = await waitFor('the dead letter', async () => {
      const queued = await queue.query<DeadLetterItemSummary[]>('items');
      return queued.length > 0 ? queued : undefined;
    });
    assert.deepEqual(
      items.map((i) => [i.kind, i.key, i.error.type, i.source.workflowId]),
      [
        [
          'servicenow-incident',
          `tableau:${head.datasourceId}`,
          'InvalidRequest',
          'tableau-refresh-dead-letter-e2e',
        ],
      ],
    );

    // ServiceNow is fixed (the fault is used up): the operator redrives by connector.
    const result = await queue.executeUpdate<RedriveResult, [object]>('redrive', {
      args: [{ filter: { connector: 'servicenow' } }],
    });
    assert.equal(result.succeeded, 1);
    assert.deepEqual(await queue.query<DeadLetterItemSummary[]>('items'), []);
    const incidents = await new ServicenowSimAccess(servicenow.url, caPem).list(
      'incident',
      'short_descriptionLIKEWorkday Headcount',
    );
    assert.equal(incidents.length, 1, 'one incident for the data source');
  });
});
