/**
 * What `--proxy` intercepts and where its CA lives: the names only, cheap to load. The TLS side
 * (`proxy.ts`, `ca.ts` and the X.509 library) is imported only when the proxy is used, so a mock
 * started without `--proxy` loads none of it.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { allowedHost, hostName } from './guard.js'

/**
 * Konnect's API hosts: the global one (where `POST /v3/invites` lives) and one per geo. Kong's Go
 * SDK lists global, us, eu and au as its servers; Konnect's "Geographic regions" page adds me, in
 * and sg, each at `https://<geo>.api.konghq.com`.
 */
export const KONNECT_API_HOSTS: readonly string[] = ['global', 'us', 'eu', 'au', 'me', 'in', 'sg'].map((geo) => `${geo}.api.konghq.com`)

/** The port an intercepted CONNECT must name: Konnect's API is HTTPS on 443 only. */
export const INTERCEPT_PORT = 443

/** A host `--proxy-tunnel` lets through unchanged, with its port. */
export interface TunnelTarget {
  host: string
  port: number
}

/**
 * Parses an `--intercept-hosts` entry: a DNS name (no address, port or wildcard), lower-cased,
 * since the CA's name constraints and the leaf certificates name it.
 * @example interceptHost('Global.API.example.com') // 'global.api.example.com'
 */
export function interceptHost (value: string): string | { error: string } {
  const name = allowedHost(value)
  if (typeof name !== 'string' || name.startsWith('[') || /^\d+(\.\d+){3}$/.test(name) || !name.includes('.')) {
    return { error: `expected a DNS name with a dot, like global.api.example.com (no address, port or scheme), got "${value}"` }
  }
  return name
}

/**
 * Parses a `--proxy-tunnel` entry, `host[:port]` (port 443 when left out), into `host:port`.
 * @example tunnelEntry('Api.Example.com') // 'api.example.com:443'
 * @example tunnelEntry('[::1]:8443') // '[::1]:8443'
 */
export function tunnelEntry (value: string): string | { error: string } {
  const problem = { error: `expected host[:port], like api.example.com or 127.0.0.1:8443, got "${value}"` }
  const entry = value.trim().toLowerCase()
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry)
  if (match === null) return problem
  const host = allowedHost(match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!)
  const port = match[2] === undefined ? INTERCEPT_PORT : Number(match[2])
  return typeof host === 'string' && port >= 1 && port <= 65535 ? `${host}:${port}` : problem
}

/**
 * A CONNECT request's target (`host:port`, authority form), with the host as `hostName` gives it;
 * `null` when it is not one.
 * @example connectTarget('Global.api.konghq.com:443') // { host: 'global.api.konghq.com', port: 443 }
 */
export function connectTarget (authority: string): TunnelTarget | null {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority.trim().toLowerCase())
  if (match === null) return null
  // hostName takes a bracketed part only when it is an IPv6 address.
  const host = hostName(match[1]!)
  const port = Number(match[2])
  return host !== null && port >= 1 && port <= 65535 ? { host, port } : null
}

/**
 * Where the CA lives when `--ca-dir` is not given: the per-user data folder,
 * `$XDG_DATA_HOME/konnect-invites-mock`, else `~/.local/share/konnect-invites-mock`.
 * @example defaultCaDir({ XDG_DATA_HOME: '/data' }) // '/data/konnect-invites-mock'
 */
export function defaultCaDir (env: Record<string, string | undefined>, home: string = homedir()): string {
  const data = env.XDG_DATA_HOME
  return join(data !== undefined && data.startsWith('/') ? data : join(home, '.local', 'share'), 'konnect-invites-mock')
}

/** Marks a TLS socket opened inside a tunnel with the host it was opened for; the journal reads it. */
export const TUNNEL_HOST = Symbol('konnect-invites-mock.tunnelHost')
