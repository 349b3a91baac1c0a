/**
 * A validator compiler without type coercion, for routes whose bodies must be
 * exactly what the schema says. fastify's default Ajv coerces (coerceTypes:
 * 'array'), which would turn `"values": "x"` into `[["x"]]` and write it to a
 * spreadsheet; here it is a 400 naming the field. Set per encapsulated plugin
 * with setValidatorCompiler, so other routes keep fastify's defaults.
 */
import { Ajv, type AnySchema } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  strict: false,
});

export const strictValidatorCompiler: FastifySchemaCompiler<AnySchema> = ({ schema }) => ajv.compile(schema);
