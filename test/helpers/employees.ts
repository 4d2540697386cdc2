// An ERPNext employee document as the Workday import writes it, for tests that write to ERPNext.
import type { ErpnextEmployeeFields } from '../../src/domain/employeeValidation';

export function testEmployee(n: number, fields: Partial<ErpnextEmployeeFields> = {}): ErpnextEmployeeFields {
  return {
    employee_number: `E${n}`,
    first_name: 'Test',
    last_name: `Person ${n}`,
    employee_name: `Test Person ${n}`,
    custom_preferred_name: null,
    company_email: `e${n}@example.com`,
    custom_country: 'US',
    department: null,
    designation: null,
    custom_manager_employee_number: null,
    date_of_joining: '2024-01-01',
    relieving_date: null,
    status: 'Active',
    custom_cost_center: null,
    custom_workday_hash: `hash-${n}`,
    ...fields,
  };
}
