import type { FastifyInstance } from 'fastify';

export interface HealthRouteOptions {
  version: string;
}

/** GET /health: cheap and without I/O, for load balancers and the Docker HEALTHCHECK. */
export function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions): void {
  const body = { status: 'healthy', service: 'integration-service', version: opts.version };
  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              service: { type: 'string' },
              version: { type: 'string' },
            },
          },
        },
      },
    },
    async () => body,
  );
}
