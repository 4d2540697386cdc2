// Failure messages and stack traces travel as an encoded payload (Temporal's "encoded common
// attributes"), so the codec encrypts them like any other payload: a vendor's refusal text can
// quote a name or an email. Loaded by path into the workflow bundle and into every client and
// worker (DataConverter.failureConverterPath), so workflows and activities encode alike.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
