/**
 * Listening addresses: how the mock names the URL it listens on, and whether a host is reachable
 * only from this machine. Shared by the command line and the in-process server.
 */
import { isIP } from 'node:net'

/**
 * Whether a host only accepts connections from this machine: `localhost`, 127.0.0.0/8 or `::1`,
 * written bare or in brackets as URLs and Host headers carry it.
 * @example isLoopback('127.0.0.1') // true
 * @example isLoopback('[::1]') // true
 */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'))
}

/**
 * The URL of a listening address; an IPv6 address goes in brackets.
 * @example listenUrl('::1', 8080) // 'http://[::1]:8080'
 */
export function listenUrl (host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
