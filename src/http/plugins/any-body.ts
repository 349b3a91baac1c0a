/**
 * For an encapsulated route plugin whose routes take any body as plain bytes
 * (webhooks) or ignore it (event admin routes): the plugin's one parser reads
 * bytes up to `bodyLimit` whatever the Content-Type, and fastify is shown
 * application/octet-stream, since it answers 415 to a label it cannot parse
 * ("foo", "a/b, c/d") before any parser runs. restoreContentType() puts the
 * label as sent back on the request (an empty one is no label) for a handler
 * that reads or stores it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

const sentContentType = new WeakMap<FastifyRequest, string>();

export function acceptAnyBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, body);
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const sent = request.headers['content-type'];
    if (sent !== undefined) {
      sentContentType.set(request, sent);
      request.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });
}

export function restoreContentType(request: FastifyRequest): void {
  const sent = sentContentType.get(request);
  if (sent === '') delete request.headers['content-type'];
  else if (sent !== undefined) request.headers['content-type'] = sent;
}
