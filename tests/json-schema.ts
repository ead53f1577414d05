// A JSON Schema check for the subset our own schemas use, so that rule definitions are validated
// without a network or a second schema dialect.
type Schema = Record<string, unknown>;

export function validateAgainstSchema(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  if ('enum' in schema && !(schema.enum as unknown[]).includes(value)) fail(`must be one of ${JSON.stringify(schema.enum)}`);
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: must be an object`];
      const object = value as Record<string, unknown>;
      for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in object)) fail(`missing "${key}"`);
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      const keys = Object.keys(object);
      if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) fail('has too few properties');
      for (const key of keys) {
        const names = schema.propertyNames as Schema | undefined;
        if (names?.pattern && !new RegExp(names.pattern as string).test(key)) fail(`property name "${key}" is malformed`);
        const sub = properties[key] ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined);
        if (sub) errors.push(...validateAgainstSchema(sub, object[key], `${path}.${key}`));
        else if (schema.additionalProperties === false) fail(`unknown property "${key}"`);
      }
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${path}: must be an array`];
      if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('has too few items');
      if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('has duplicate items');
      if (schema.items) value.forEach((v, i) => errors.push(...validateAgainstSchema(schema.items as Schema, v, `${path}[${i}]`)));
      break;
    }
    case 'string':
      if (typeof value !== 'string') return [`${path}: must be a string`];
      if (schema.pattern && !new RegExp(schema.pattern as string).test(value)) fail(`does not match ${schema.pattern}`);
      if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('is too short');
      if (schema.format === 'uri' && !URL.canParse(value)) fail('is not a URI');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be a boolean');
      break;
  }
  return errors;
}
