import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ChatError } from '../domain/shared/errors.js';

/**
 * Maps every failure to Rocket.Chat's error envelope, once. Domain errors carry their own status;
 * schema failures are 400 `invalid-params`; malformed JSON is a 400, an oversized body a 413, and
 * anything unexpected a logged 500 that reveals nothing.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ success: false, error: 'Resource not found' }),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ChatError) return sendChatError(reply, error);
    if (error.validation) {
      const reason = error.validation
        .map(
          (v) =>
            `${v.instancePath ? `${v.instancePath.replace(/^\//, '').replaceAll('/', '.')} ` : ''}${v.message ?? 'is invalid'}`,
        )
        .join('\n ');
      return sendChatError(reply, ChatError.invalidParams(reason));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .code(413)
          .send({ success: false, error: 'Request body is too large', errorType: 'error-payload-too-large' });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendChatError(reply, ChatError.invalidParams('Malformed JSON body'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({
          success: false,
          error: 'Unsupported Content-Type',
          errorType: 'error-unsupported-media-type',
        });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendChatError(reply, ChatError.invalidParams('Invalid Content-Length'));
    }
    if (
      error instanceof SyntaxError ||
      (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    ) {
      return reply
        .code(error.statusCode ?? 400)
        .send({ success: false, error: error.message, errorType: 'invalid-params' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ success: false, error: 'Internal server error' });
  });
}

export function sendChatError(reply: FastifyReply, error: ChatError): FastifyReply {
  if (error.kind === 'unauthenticated') {
    // Rocket.Chat's 401s keep the legacy `status`/`message` pair that its test helpers assert.
    return reply
      .code(401)
      .send({ success: false, status: 'error', error: error.reason, message: error.reason });
  }
  if (error.kind === 'rate-limited') {
    const waitMs = Number(error.details?.timeToReset ?? 0);
    void reply
      .header('Retry-After', String(Math.ceil(waitMs / 1000)))
      .header('X-RateLimit-Reset', String(Date.now() + waitMs))
      .header('X-RateLimit-Remaining', '0');
  }
  return reply.code(error.status).send({
    success: false,
    error: error.message,
    errorType: error.code,
    ...(error.details ? { details: error.details } : {}),
  });
}
