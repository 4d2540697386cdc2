// The inputs people and schedules really send stay valid under the workflows' schemas: the
// schedule table's, the saved histories' and each schema's own example.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateRenewalInput } from '../../src/domain/inputs/certificateRenewal';
import { dailyDigestInput } from '../../src/domain/inputs/dailyDigest';
import { deadLetterQueueInput } from '../../src/domain/inputs/deadLetterQueue';
import { parseInput, type InputSpec } from '../../src/domain/inputs/parse';
import {
  channelRecoveryInput,
  circuitBreakerInput,
  openIncidentInput,
} from '../../src/domain/inputs/platform';
import { readinessCheckInput } from '../../src/domain/inputs/readinessCheck';
import {
  salesforceAccountIntelligenceInput,
  salesforceAccountSyncInput,
  salesforceSettingsInput,
} from '../../src/domain/inputs/salesforce';
import { servicenowIncidentSyncInput } from '../../src/domain/inputs/servicenowIncidentSync';
import { tableauExtractRefreshInput } from '../../src/domain/inputs/tableauExtractRefresh';
import { smsPageInput, twilioCostGuardInput } from '../../src/domain/inputs/twilio';
import { workdayEmployeeImportInput } from '../../src/domain/inputs/workdayEmployeeImport';
import { sesFeedbackInput } from '../../src/domain/inputs/sesFeedback';
import { zoomTrainingAttendanceInput } from '../../src/domain/inputs/zoom';
import { SCHEDULES } from '../../src/schedules';
import { openPayload } from '../../src/codec/encryptionCodec';
import { keyRingFrom } from '../../src/codec/keyRing';
import { TEST_KEY_RING } from '../helpers/codec';
import { VALID_INPUTS } from '../workflows/validInputs';

const SPECS: Record<string, InputSpec<never>> = {
  readinessCheck: readinessCheckInput,
  openIncident: openIncidentInput,
  servicenowIncidentSync: servicenowIncidentSyncInput,
  tableauExtractRefresh: tableauExtractRefreshInput,
  certificateRenewal: certificateRenewalInput,
  circuitBreaker: circuitBreakerInput,
  channelRecovery: channelRecoveryInput,
  workdayEmployeeImport: workdayEmployeeImportInput,
  deadLetterQueue: deadLetterQueueInput,
  dailyDigest: dailyDigestInput,
  sesFeedback: sesFeedbackInput,
  zoomTrainingAttendance: zoomTrainingAttendanceInput,
  smsPage: smsPageInput,
  twilioCostGuard: twilioCostGuardInput,
  salesforceAccountSync: salesforceAccountSyncInput,
  salesforceAccountIntelligence: salesforceAccountIntelligenceInput,
  salesforceSettings: salesforceSettingsInput,
} as never;

const accepts = (type: string, input: unknown) =>
  assert.doesNotThrow(
    () => parseInput(SPECS[type]!, input),
    `${type} ${JSON.stringify(input).slice(0, 200)}`,
  );

describe('workflow input schemas', () => {
  it('accept every schedule input', () => {
    for (const s of SCHEDULES) accepts(s.workflowType, s.input);
  });

  it('accept the inputs of the saved histories', () => {
    const dir = join(__dirname, '../fixtures/histories');
    for (const file of readdirSync(dir)) {
      const history = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        events: {
          workflowExecutionStartedEventAttributes?: {
            workflowType: { name: string };
            input?: { payloads: { metadata?: Record<string, string>; data: string }[] };
          };
        }[];
      };
      const started = history.events[0]!.workflowExecutionStartedEventAttributes!;
      // Fixtures recorded with the payload codec hold their input encrypted with the test keys.
      const payload = started.input!.payloads[0]!;
      const opened = openPayload(
        {
          metadata: Object.fromEntries(
            Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
          ),
          data: Buffer.from(payload.data, 'base64'),
        },
        keyRingFrom(TEST_KEY_RING),
      );
      accepts(started.workflowType.name, JSON.parse(Buffer.from(opened.data!).toString('utf8')));
    }
  });

  it('accept their own examples and a full input with every field', () => {
    for (const [type, spec] of Object.entries(SPECS)) {
      accepts(type, spec.example);
      accepts(type, VALID_INPUTS[type]);
    }
  });

  it('refuse a typo in a field name, naming it', () => {
    assert.throws(
      () => parseInput(readinessCheckInput, { certWarnDay: 30 }),
      /input: Unrecognized key\(s\) in object: 'certWarnDay'\. A valid input:/,
    );
  });
});
