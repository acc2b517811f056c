import { Ajv, type Options } from 'ajv';
import formats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = formats.default;

const common: Options = { allErrors: false, removeAdditional: true, useDefaults: true, strict: false };

/**
 * Query strings and path parameters arrive as text, so their validator coerces ("10" → 10).
 * JSON bodies are typed already: their validator coerces nothing, so `{"user": 42}` is a 400
 * rather than a login as "42".
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  // Bodies keep unknown keys rather than dropping them, so `additionalProperties: false` refuses a
  // misspelt field with 400 instead of ignoring it.
  const strict = new Ajv({ ...common, coerceTypes: false, removeAdditional: false });
  addFormats(coercing);
  addFormats(strict);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object);
  };
}
