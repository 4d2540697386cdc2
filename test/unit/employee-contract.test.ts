// The Workday export contract: drift detection, row validation, residency and the content hash.
import assert from 'node:assert/strict';
import {
  addReasonCounts,
  columnIndexes,
  detectDrift,
  duplicateColumns,
  EMPLOYEE_COLUMNS,
  MAX_REASON_KEYS,
  newestExportFile,
  regionFor,
} from '../../src/domain/employee';
import {
  contentHash,
  parseWorkdayDate,
  toErpnextEmployee,
  validateRow,
} from '../../src/domain/employeeValidation';

const HEADER = EMPLOYEE_COLUMNS.map((c) => c.name);

function row(overrides: Record<string, string> = {}): string[] {
  const base: Record<string, string> = {
    Employee_ID: 'W1001',
    Legal_First_Name: 'Ana',
    Legal_Last_Name: 'Silva',
    Preferred_Name: '',
    Email: 'ana.silva@example.com',
    Country: 'PT',
    Department: 'Finance',
    Job_Title: 'Analyst',
    Manager_ID: 'W0001',
    Hire_Date: '2021-03-01',
    Termination_Date: '',
    Status: 'Active',
    Cost_Center: 'CC-100',
    ...overrides,
  };
  return HEADER.map((h) => base[h] ?? '');
}

const indexes = columnIndexes(HEADER);

describe('employee contract', () => {
  describe('drift', () => {
    it('finds nothing for the contract header', () => {
      assert.deepEqual(detectDrift(HEADER), { unknownColumns: [], missingRequired: [], missingOptional: [] });
    });

    it('reports unknown columns and missing required and optional ones', () => {
      const header = [
        ...HEADER.filter((h) => h !== 'Email' && h !== 'Cost_Center'),
        'preferred_name',
        'Badge',
      ];
      assert.deepEqual(detectDrift(header), {
        unknownColumns: ['preferred_name', 'Badge'],
        missingRequired: ['Email'],
        missingOptional: ['Cost_Center'],
      });
    });

    it('trims padded header names and accepts a mapping for a renamed column', () => {
      const header = HEADER.map((h) => (h === 'Email' ? 'Work_Email' : ` ${h} `));
      assert.deepEqual(detectDrift(header).missingRequired, ['Email']);
      const drift = detectDrift(header, { Email: 'Work_Email' });
      assert.deepEqual(drift, { unknownColumns: [], missingRequired: [], missingOptional: [] });
      assert.equal(columnIndexes(header, { Email: 'Work_Email' }).Email, HEADER.indexOf('Email'));
    });

    it('finds duplicate column names', () => {
      assert.deepEqual(duplicateColumns(['a', 'b', ' a']), ['a']);
    });
  });

  describe('rows', () => {
    it('accepts a valid row and normalises it', () => {
      const result = validateRow(
        row({ Country: 'pt', Hire_Date: '2021-03-01-07:00', Email: ' a@b.example ' }),
        indexes,
        HEADER.length,
        7,
      );
      assert.ok(result.ok);
      assert.equal(result.record.country, 'PT');
      assert.equal(result.record.hireDate, '2021-03-01');
      assert.equal(result.record.email, 'a@b.example');
      assert.equal(result.record.preferredName, undefined);
      assert.equal(result.record.status, 'Active');
    });

    it('quarantines with line, field and reason, one entry per bad field, never the value', () => {
      const result = validateRow(
        row({ Email: 'not-an-email', Country: 'XX', Hire_Date: '2021-02-30', Legal_Last_Name: '' }),
        indexes,
        HEADER.length,
        42,
      );
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => [e.line, e.field]),
        [
          [42, 'Country'],
          [42, 'Email'],
          [42, 'Hire_Date'],
          [42, 'Legal_Last_Name'],
        ],
      );
      assert.ok(result.errors.every((e) => !e.reason.includes('not-an-email') && !e.reason.includes('XX')));
      assert.match(result.errors.find((e) => e.field === 'Legal_Last_Name')!.reason, /required/);
    });

    it('rejects a bad status, a termination before hire and a wrong column count', () => {
      const status = validateRow(row({ Status: 'Gone' }), indexes, HEADER.length, 3);
      assert.ok(!status.ok);
      assert.equal(status.errors[0]!.field, 'Status');
      const order = validateRow(
        row({ Termination_Date: '2020-01-01', Status: 'Terminated' }),
        indexes,
        HEADER.length,
        3,
      );
      assert.ok(!order.ok);
      assert.deepEqual(order.errors[0], { line: 3, field: 'Termination_Date', reason: 'before Hire_Date' });
      const short = validateRow(row().slice(1), indexes, HEADER.length, 9);
      assert.ok(!short.ok);
      assert.equal(short.errors[0]!.field, '(row)');
    });

    it('reads a required column through a mapping and quarantines rows when it is absent', () => {
      const header = HEADER.filter((h) => h !== 'Email');
      const values = row().filter((_, i) => HEADER[i] !== 'Email');
      const result = validateRow(values, columnIndexes(header), header.length, 5);
      assert.ok(!result.ok);
      assert.deepEqual(result.errors, [{ line: 5, field: 'Email', reason: 'required value missing' }]);
    });
  });

  describe('dates, files, regions', () => {
    it('parses Workday dates with offsets and rejects impossible ones', () => {
      assert.equal(parseWorkdayDate('2024-02-29'), '2024-02-29');
      assert.equal(parseWorkdayDate('1960-01-01-07:00'), '1960-01-01');
      assert.equal(parseWorkdayDate('2020-01-15Z'), '2020-01-15');
      assert.equal(parseWorkdayDate('2023-02-29'), undefined);
      assert.equal(parseWorkdayDate('15/01/2020'), undefined);
    });

    it('picks the newest export by the date in its name', () => {
      assert.equal(
        newestExportFile(['workers_20240102.csv', 'workers_20240110.csv', 'workers_2024.csv', 'x.csv']),
        'workers_20240110.csv',
      );
      assert.equal(newestExportFile(['notes.txt']), undefined);
    });

    it('routes EU and EEA countries to the EU region only', () => {
      for (const c of ['DE', 'fr', 'NO', 'IS', 'LI', 'IE']) assert.equal(regionFor(c), 'eu', c);
      for (const c of ['US', 'GB', 'CH', 'IN']) assert.equal(regionFor(c), 'us', c);
    });

    it('bounds the reason histogram', () => {
      let counts = {};
      for (let i = 0; i < MAX_REASON_KEYS + 10; i++) counts = addReasonCounts(counts, { [`f${i}: bad`]: 1 });
      assert.equal(Object.keys(counts).length, MAX_REASON_KEYS + 1);
      assert.equal((counts as Record<string, number>).other, 10);
    });
  });

  describe('content hash', () => {
    it('is stable under key order and changes with any value', () => {
      assert.equal(contentHash({ a: 1, b: 'x' }), contentHash({ b: 'x', a: 1 }));
      assert.notEqual(contentHash({ a: 1, b: 'x' }), contentHash({ a: 1, b: 'y' }));
      assert.match(contentHash({}), /^[0-9a-f]{28}$/);
    });

    it('is part of the ERPNext shape and follows the record content', () => {
      const a = validateRow(row(), indexes, HEADER.length, 2);
      const b = validateRow(row({ Preferred_Name: 'Annie' }), indexes, HEADER.length, 2);
      assert.ok(a.ok && b.ok);
      const docA = toErpnextEmployee(a.record);
      const docB = toErpnextEmployee(b.record);
      assert.equal(docA.employee_number, 'W1001');
      assert.equal(docB.custom_preferred_name, 'Annie');
      assert.notEqual(docA.custom_workday_hash, docB.custom_workday_hash);
      assert.equal(docA.custom_workday_hash, toErpnextEmployee(a.record).custom_workday_hash);
      const terminated = validateRow(
        row({ Status: 'Terminated', Termination_Date: '2024-01-31' }),
        indexes,
        HEADER.length,
        2,
      );
      assert.ok(terminated.ok);
      assert.equal(toErpnextEmployee(terminated.record).status, 'Left');
    });
  });
});
