import type { FastifyInstance } from 'fastify';
import type { DetailedHealth } from '../../services/health-report.js';

export interface HealthRouteOptions {
  version: string;
  /** GET /health/detailed: the cached, time-limited report of services/health-report.ts. */
  detailed?: () => Promise<DetailedHealth>;
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
  if (opts.detailed) {
    const detailed = opts.detailed;
    // 503 only when unhealthy (no database), so load balancers keep a degraded
    // instance in rotation: it still stores webhooks.
    app.get('/health/detailed', async (_request, reply) => {
      const report = await detailed();
      reply.code(report.status === 'unhealthy' ? 503 : 200);
      return report;
    });
  }
}
