/**
 * The demo dashboard at `/`: a page to switch scenarios, send an invite and watch the request
 * journal, for people showing the error paths live. Three same-origin assets under a strict
 * Content-Security-Policy, no external requests, served only when the admin API is on.
 */
import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'

const DASHBOARD_PATH = '/'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache'
}

/** Path → [media type, file under `dashboard/`, next to this module in the sources and in `dist`] of every asset. */
const DASHBOARD_ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  [DASHBOARD_PATH]: ['text/html; charset=utf-8', 'index.html'],
  '/dashboard.js': ['text/javascript; charset=utf-8', 'dashboard.js'],
  '/dashboard.css': ['text/css; charset=utf-8', 'dashboard.css'],
  '/violations.js': ['text/javascript; charset=utf-8', 'violations.js']
}

const ASSET_DIRECTORY = new URL('./dashboard/', import.meta.url)

/**
 * Serves the dashboard page and its script and stylesheet, read once when the plugin registers.
 * Register it next to the admin API, which the page drives.
 * @example
 * app.register(dashboardRoutes)
 * const page = await app.inject('/') // text/html with a Content-Security-Policy header
 */
export async function dashboardRoutes (app: FastifyInstance): Promise<void> {
  for (const [path, [type, file]] of Object.entries(DASHBOARD_ASSETS)) {
    const body = await readFile(new URL(file, ASSET_DIRECTORY), 'utf8')
    app.route({ method: ['GET', 'HEAD'], url: path, handler: async (_request, reply) => reply.headers(SECURITY_HEADERS).type(type).send(body) })
  }
}
