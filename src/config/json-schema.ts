// config/parkedge.schema.json is derived from the zod schema so editors complete keys; a test keeps it in sync.
import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  schema.title = 'parkedge configuration (parkedge.yaml)';
  return JSON.stringify(schema, null, 2) + '\n';
}
