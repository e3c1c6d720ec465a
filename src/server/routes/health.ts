import { route, type RouteSpec } from '../route.js';

export function healthRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/healthz', permission: null, tag: 'health', summary: 'Liveness: the process answers',
      handler: () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET', url: '/readyz', permission: null, tag: 'health',
      summary: 'Readiness: the store answers and takes writes, the configuration is loaded',
      handler: (_request, reply, { runtime }) => {
        // The last write failed (disk full, I/O error): ingestion answers 503 until one succeeds.
        const problem = runtime.storeHealth.problem;
        if (problem !== null) {
          void reply.code(503);
          return {
            status: 'not ready',
            error: problem.message,
            store: {
              writable: false, reason: problem.reason, since: new Date(problem.since).toISOString(),
              failed_writes: problem.failures, first_failed: problem.during, hint: problem.hint,
            },
          };
        }
        try {
          runtime.store.outboxDepth();
          return { status: 'ready', rules: runtime.engine.ruleNames().length };
        } catch (error) {
          void reply.code(503);
          return { status: 'not ready', error: error instanceof Error ? error.message : String(error) };
        }
      },
    }),
    route({
      method: 'GET', url: '/metrics', permission: 'read', tag: 'health', summary: 'Prometheus metrics',
      handler: async (_request, reply, { runtime }) => {
        runtime.metrics.recordEngineStats(runtime.engine.stats);
        const exposition = await runtime.metrics.exposition();
        void reply.header('content-type', exposition.contentType);
        return exposition.body;
      },
    }),
  ];
}
