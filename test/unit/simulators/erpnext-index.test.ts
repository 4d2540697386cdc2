// The ERPNext simulator answers `=` / `in` list filters from a field index (so the Workday benchmark
// does not time a table scan): the answers must stay those of a scan through inserts, updates that
// change the indexed field, deletes and insert_many's series names.
import assert from 'node:assert/strict';
import { DocTable, type FrappeDoc } from '../../../simulators/erpnext/state';
import { listDocs } from '../../../simulators/erpnext/routes/resourceQuery';

const doc = (name: string, employee_number: string, extra: Record<string, unknown> = {}): FrappeDoc => ({
  name,
  employee_number,
  modified: name,
  ...extra,
});

const numbers = (rows: Record<string, unknown>[]) => rows.map((r) => r.employee_number).sort();

describe('simulators/erpnext field index', () => {
  it('answers = and in filters as a scan would, through updates and deletes', () => {
    const table = new DocTable();
    for (let i = 1; i <= 50; i++)
      table.set(`E${i}`, doc(`E${i}`, `W${i}`, { status: i % 2 ? 'Active' : 'Left' }));
    const query = (filters: unknown[]) => ({ filters: JSON.stringify(filters), fields: '["*"]', limit: '0' });
    const both = (filters: unknown[]) => {
      const indexed = listDocs(table, query(filters));
      assert.deepEqual(indexed, listDocs([...table.values()], query(filters)));
      return indexed;
    };

    assert.deepEqual(numbers(both([['employee_number', 'in', ['W3', 'W4', 'W99']]])), ['W3', 'W4']);
    // The index exists now: an update that changes the number moves the document in it.
    table.set('E3', doc('E3', 'W300'));
    assert.deepEqual(numbers(both([['employee_number', 'in', ['W3', 'W300']]])), ['W300']);
    table.delete('E4');
    assert.deepEqual(numbers(both([['employee_number', 'in', 'W4, W5']])), ['W5']);
    // Other filters still apply to what the index found.
    assert.deepEqual(
      numbers(
        both([
          ['employee_number', 'in', ['W5', 'W6', 'W7']],
          ['status', '=', 'Active'],
        ]),
      ),
      ['W5', 'W7'],
    );
    assert.deepEqual(numbers(both([['employee_number', '=', 'W10']])), ['W10']);
    assert.deepEqual(
      both([
        ['employee_number', 'not in', ['W1']],
        ['employee_number', '=', 'W1'],
      ]),
      [],
    );
    table.clear();
    table.set('E1', doc('E1', 'W1'));
    assert.deepEqual(numbers(both([['employee_number', 'in', ['W1', 'W2']]])), ['W1']);
  });

  it('answers an unknown operator with a 417 even when the table is empty', () => {
    assert.throws(
      () => listDocs(new DocTable(), { filters: '[["employee_number","~","W1"]]' }),
      (err: Error & { statusCode?: number }) =>
        err.statusCode === 417 && /Operator must be one of/.test(err.message),
    );
  });
});
