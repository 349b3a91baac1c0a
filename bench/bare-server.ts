/**
 * The baseline of bench:ingest: a fastify endpoint that reads the body as bytes
 * and answers 202 without verifying or storing anything. What integrationd
 * adds on top of this is the cost of its guarantees.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/api/v1/webhooks/generic/:source', async (_request, reply) => {
  reply.code(202);
  return { status: 'accepted', event_id: randomUUID() };
});
const port = Number(process.argv[2] ?? 0);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
