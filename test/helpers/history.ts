// Reading saved histories the way a secret scan must: payload data is base64 inside the JSON.

/** The history JSON plus every payload's bytes decoded. */
export function withDecodedPayloads(serialized: string): string {
  const decoded: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, v] of Object.entries(value)) {
        if (key === 'data' && typeof v === 'string') decoded.push(Buffer.from(v, 'base64').toString('utf8'));
        else walk(v);
      }
  };
  walk(JSON.parse(serialized));
  return [serialized, ...decoded].join('\n');
}
