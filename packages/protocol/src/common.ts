import { Type, type TSchema, type TProperties } from 'typebox';

/** Every error Parley answers with, in Rocket.Chat's shape. */
export const ErrorResponse = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String(),
    errorType: Type.Optional(Type.String()),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    status: Type.Optional(Type.Literal('error')),
    message: Type.Optional(Type.String()),
  },
  { $id: 'ErrorResponse' },
);

/** A success body: the payload's fields plus `success: true`. */
export function Success<P extends TProperties>(properties: P) {
  return Type.Object({ ...properties, success: Type.Literal(true) });
}

export const Iso = Type.String({ format: 'date-time' });

export const Pagination = {
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  sort: Type.Optional(Type.String({ maxLength: 200, description: 'JSON, e.g. {"username":1}' })),
};

export const UpdatedSince = Type.Object({
  updatedSince: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 date' })),
});

/** The paging fields that accompany every list. */
export const PageInfo = {
  count: Type.Integer(),
  offset: Type.Integer(),
  total: Type.Integer(),
};

export const Id = (description?: string) =>
  Type.String({ minLength: 1, maxLength: 64, ...(description ? { description } : {}) });

export type { TSchema };
