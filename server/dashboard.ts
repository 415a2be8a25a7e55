/**
 * The demo dashboard at `/`: a page to switch scenarios, send an invite and watch the request
 * journal, for people showing the error paths live. Three same-origin assets under a strict
 * Content-Security-Policy, no external requests, served only when the admin API is on.
 */
import type { FastifyInstance } from 'fastify'
import { DASHBOARD_HTML } from './dashboard/page.js'
import { DASHBOARD_JS } from './dashboard/script.js'
import { DASHBOARD_CSS } from './dashboard/style.js'
import { VIOLATIONS_JS } from './dashboard/violations.js'

export const DASHBOARD_PATH = '/'

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

/** Path → [media type, body] of every dashboard asset. */
export const DASHBOARD_ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  [DASHBOARD_PATH]: ['text/html; charset=utf-8', DASHBOARD_HTML],
  '/dashboard.js': ['text/javascript; charset=utf-8', DASHBOARD_JS],
  '/dashboard.css': ['text/css; charset=utf-8', DASHBOARD_CSS],
  '/dashboard-violations.js': ['text/javascript; charset=utf-8', VIOLATIONS_JS]
}

/**
 * Serves the dashboard page and its script and stylesheet. Register it next to the admin API,
 * which the page drives.
 * @example
 * app.register(dashboardRoutes)
 * const page = await app.inject('/') // text/html with a Content-Security-Policy header
 */
export async function dashboardRoutes (app: FastifyInstance): Promise<void> {
  for (const [path, [type, body]] of Object.entries(DASHBOARD_ASSETS)) {
    app.route({ method: ['GET', 'HEAD'], url: path, handler: async (_request, reply) => reply.headers(SECURITY_HEADERS).type(type).send(body) })
  }
}
