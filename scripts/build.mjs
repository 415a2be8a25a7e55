// The build's steps after `tsc`: the dashboard's files beside the compiled server, and the bin as
// one file. Loading ~440 modules one by one (Fastify's CommonJS tree, TypeBox's ESM build, the
// project's own) is most of a start; one bundled file starts about as fast as a bare Fastify route
// (docs/performance.md). Dependencies that a run loads only when it needs them (YAML, the upstream
// client, Ajv) are required at run time through createRequire, so the bundle keeps them lazy and
// they resolve from node_modules.
import { cpSync } from 'node:fs'
import { build } from 'esbuild'

const root = new URL('../', import.meta.url)

cpSync(new URL('server/dashboard', root), new URL('dist/server/dashboard', root), { recursive: true })

await build({
  entryPoints: [new URL('dist/server/server.js', root).pathname],
  outfile: new URL('dist/server/bin.js', root).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The CommonJS dependencies inside an ES module call require(): give them Node's. Coverage is
  // measured on the sources the tests load; this file is the same code again.
  banner: {
    js: [
      '/* c8 ignore start -- the sources bundled, measured where the tests load them */',
      "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);"
    ].join('\n')
  },
  // Required only in functions a run may never call: Fastify's own compilers when none are given
  // (server/lazy-compilers.ts gives them, loading these on first use) and its inject().
  external: ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request'],
  legalComments: 'eof',
  logLevel: 'warning'
})
