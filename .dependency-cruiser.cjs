/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (so a
 * violation fails CI). Dependencies point inward: http, cli and jobs call
 * services; services use domain and the ports they declare (services/ports.ts);
 * store and the other adapters implement them; only main/ knows which
 * implementation is used.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is the vocabulary every layer shares: it imports nothing else of ours.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'services-use-ports',
      comment:
        'Use cases depend on the interfaces they declare (services/ports.ts), never on HTTP, the CLI, the wiring or the store that implements them.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/(http|cli|jobs|main|store)/' },
    },
    {
      name: 'entry-points-skip-no-layer',
      comment:
        'HTTP routes, CLI commands and the retry loop call services; storage reaches them through main/.',
      severity: 'error',
      from: { path: '^src/(http|cli|jobs)/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'only-main-wires',
      comment:
        'main/ is the composition root: nothing imports it (integctl gets its services from main/ctl.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'adapters-stay-inside',
      comment:
        'Adapters (store, bus, cache, redis, sheets, geocoding, ratelimit, audit, metrics, providers) never call their callers.',
      severity: 'error',
      from: { path: '^src/(store|bus|cache|redis|sheets|geocoding|ratelimit|audit|metrics|providers)/' },
      to: { path: '^src/(http|cli|jobs)/' },
    },
    {
      name: 'providers-are-pure',
      comment: 'Signature schemes verify bytes: domain and lib only.',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { path: '^src/', pathNot: '^src/(providers|domain|lib)/' },
    },
    {
      name: 'one-redis-construction-site',
      comment:
        'Every ioredis client comes from src/redis/clients.ts and its named profiles; others import only its types.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/redis/clients\\.ts$' },
      to: { path: 'node_modules/ioredis/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-open-no-connections',
      comment: 'Use cases may name Redis keys, never open a client.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/redis/clients\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle means two modules are one idea, or a seam is in the wrong place.',
      severity: 'error',
      from: {},
      // A cycle closed only by `import type` costs nothing at run time and is allowed.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
