// Frappe's error responses: the HTTP status comes from the exception class, the body carries
// exc_type, exception and a double-encoded `_server_messages` (a JSON string of JSON strings).

const EXC_TYPE_BY_STATUS: Record<number, string> = {
  400: 'ValidationError',
  401: 'AuthenticationError',
  403: 'PermissionError',
  404: 'DoesNotExistError',
  409: 'DuplicateEntryError',
  417: 'ValidationError',
  500: 'Exception',
};

export interface FrappeErrorBody {
  exc_type: string;
  exception: string;
  exc: string;
  _server_messages?: string;
  _error_message?: string;
}

export function frappeErrorBody(excType: string, message?: string): FrappeErrorBody {
  const exception = `frappe.exceptions.${excType}${message ? `: ${message}` : ''}`;
  return {
    exc_type: excType,
    exception,
    exc: JSON.stringify([`Traceback (most recent call last):\n  (simulated)\n${exception}\n`]),
    ...(message && {
      _server_messages: JSON.stringify([
        JSON.stringify({ message, title: 'Message', indicator: 'red', raise_exception: 1 }),
      ]),
    }),
  };
}

/** Body for faults and framework errors: Frappe's JSON for app errors, plain text where Frappe or nginx answer. */
export function erpnextFaultBody(status: number, message: string): unknown {
  // Frappe's site rate limiter answers 429 in plain text; 502-504 come from the nginx in front.
  if (status === 429) return 'Too Many Requests';
  if (status >= 502 && status <= 504)
    return `${status} ${status === 504 ? 'Gateway Time-out' : 'Bad Gateway'}`;
  const excType = EXC_TYPE_BY_STATUS[status] ?? (status >= 500 ? 'Exception' : 'ValidationError');
  return frappeErrorBody(excType, message.startsWith('Simulated fault') ? undefined : message);
}
