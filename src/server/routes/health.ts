import { route, type RouteSpec } from '../route.js';

export function healthRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/healthz', permission: null, tag: 'health', summary: 'Liveness: the process answers',
      handler: () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET', url: '/readyz', permission: null, tag: 'health', summary: 'Readiness: the store answers and the configuration is loaded',
      handler: (_request, reply, { runtime }) => {
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
