/**
 * The mock with `--proxy` on a loopback port, with the log lines the proxy wrote. Every CA lives in
 * the test's own folder.
 */
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { MockOptions } from '../../server/app.js'
import { createProxy, type MockProxy, type ProxyOptions } from '../../server/proxy.js'
import { build, listen } from './app.js'

/** The host `POST /v3/invites` lives on. */
export const GLOBAL = 'global.api.konghq.com'

export interface ProxyMock {
  app: FastifyInstance
  /** `http://127.0.0.1:<port>`: the mock, and the proxy programs are given. */
  url: string
  port: number
  proxy: MockProxy
  /** The CA certificate, PEM. */
  ca: string
  caDir: string
  /** The JSON log lines written so far (warnings and up unless `logLevel` says otherwise). */
  logs: Array<{ level: number, msg: string, [key: string]: unknown }>
}

/**
 * Starts the mock with a proxy whose CA is made in a fresh test folder (or `caDir`), listening on
 * 127.0.0.1, closed when the test ends.
 * @example const { url, ca } = await proxyMock(t, { mock: { activeUsers: ['ada@example.com'] } })
 */
export async function proxyMock (t: Test, options: { mock?: MockOptions, proxy?: Partial<ProxyOptions>, logLevel?: string } = {}): Promise<ProxyMock> {
  const caDir = options.proxy?.caDir ?? t.testdir()
  const proxy = await createProxy({ ...options.proxy, caDir })
  const logs: ProxyMock['logs'] = []
  const stream = { write: (line: string) => { logs.push(JSON.parse(line)) } }
  const app = build(t, { logger: { level: options.logLevel ?? 'warn', stream }, ...options.mock, proxy })
  const { url, port } = await listen(t, app)
  return { app, url, port, proxy, ca: proxy.ca.certPem, caDir, logs }
}
