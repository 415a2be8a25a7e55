/**
 * `--proxy`: the mock's port also answers `CONNECT` for Konnect's API hosts, so an unchanged
 * program with `HTTPS_PROXY` set reaches the mock. TLS is terminated inside the tunnel with a leaf
 * for that exact host and the decrypted stream is handed to the same Node server Fastify uses, so
 * every feature behaves as on plain HTTP. Any other CONNECT is refused with nothing dialled, except
 * the `--proxy-tunnel` targets, which are tunnelled unchanged. Loaded only when the proxy is used.
 */
import type { IncomingMessage, Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { createSecureContext, TLSSocket } from 'node:tls'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { badRequest, problem, problemOutcome } from '../scenarios/outcome.js'
import type { BaseError, BadRequestError } from '../contracts/schemas.js'
import { loadCa, type CertificateAuthority } from './ca.js'
import { connectTarget, INTERCEPT_PORT, KONNECT_API_HOSTS, TUNNEL_HOST } from './proxy-hosts.js'
import { writeOutcome } from './reply.js'
import { DEFAULT_ID } from '../contracts/headers.js'

/** Time a client gets to finish the TLS handshake inside a tunnel. */
const HANDSHAKE_TIMEOUT_MS = 10_000
/** Time a `--proxy-tunnel` target gets to accept the connection. */
const DIAL_TIMEOUT_MS = 10_000
/** Tunnels still opening (handshake or dial under way) at once; past it a CONNECT gets a 503. */
const MAX_OPENING = 256

export interface ProxyOptions {
  /** Folder of the CA (`ca.pem`, `ca-key.pem`). */
  caDir: string
  /** Hosts intercepted besides Konnect's API hosts (`--intercept-hosts`). */
  interceptHosts?: readonly string[]
  /** `host:port` targets tunnelled unchanged (`--proxy-tunnel`). */
  tunnels?: readonly string[]
  /** Told, in one line, when the CA is created or replaced. */
  notice?: (line: string) => void
  handshakeTimeoutMs?: number
  dialTimeoutMs?: number
  maxOpening?: number
  /** Opens the connection to a `--proxy-tunnel` target (default `net.connect`). */
  dial?: (host: string, port: number) => Socket
  now?: () => number
}

/** A proxy ready to be attached to the app's server. */
export interface MockProxy {
  readonly ca: CertificateAuthority
  /** Every host intercepted, Konnect's first. */
  readonly hosts: readonly string[]
  /** Answers the server's CONNECT requests, logging refusals and broken tunnels to `log`. */
  attach: (server: Server, log: FastifyBaseLogger) => void
  /** Ends the tunnels still opening and the pass-through ones (the server ends the rest). */
  close: () => void
}

type TunnelSocket = TLSSocket & { [TUNNEL_HOST]?: string }

/**
 * Problem answers written on the CONNECT socket, which is then closed. Every caller answers while
 * the client's socket is open: a dial abandoned because the client left answers nothing.
 */
function refuse (socket: Duplex, body: BaseError | BadRequestError, headers?: Record<string, string>): void {
  writeOutcome(socket as Socket, problemOutcome(body, DEFAULT_ID, headers))
}

function clip (text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

/**
 * Why a tunnel's TLS handshake failed, in words a user can act on. OpenSSL tells a missing server
 * name apart only by having no certificate to choose: the context without one is served until the
 * SNI callback swaps in the host's.
 */
function handshakeFailure (error: NodeJS.ErrnoException): string {
  const code = error.code ?? ''
  if (code === 'ERR_SSL_HTTP_REQUEST') return 'the client sent plain HTTP, not TLS'
  if (code === 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM' || code === 'ERR_SSL_NO_SHARED_CIPHER') return 'the client sent no server name (SNI)'
  if (/_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN)$/.test(code)) {
    return 'the client does not trust the mock\'s CA (`konnect-invites-mock ca` prints how to trust it)'
  }
  // OpenSSL's message is one line of `<id>:error:<n>:SSL routines:<function>:<reason>:<file>:…`: keep the reason.
  const reason = /:SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1]
  return reason === undefined ? error.message : `not a TLS handshake the mock can answer (${reason})`
}

/**
 * Loads (or makes) the CA and returns the proxy.
 * @example
 * const proxy = await createProxy({ caDir: '/tmp/ca' })
 * const app = buildApp({ proxy })
 */
export async function createProxy (options: ProxyOptions): Promise<MockProxy> {
  const hosts = [...new Set([...KONNECT_API_HOSTS, ...options.interceptHosts ?? []])]
  const intercepted = new Set(hosts)
  const tunnels = new Set(options.tunnels ?? [])
  // Until attached to an app, whose logger it takes.
  let log: FastifyBaseLogger = pino({ level: 'silent' })
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  const dialTimeoutMs = options.dialTimeoutMs ?? DIAL_TIMEOUT_MS
  const maxOpening = options.maxOpening ?? MAX_OPENING
  const open = options.dial ?? ((host: string, port: number) => connect({ host, port }))
  const ca = await loadCa({ dir: options.caDir, hosts, now: options.now, log: options.notice })
  // A context with no certificate: a ClientHello without a server name finds nothing to serve.
  const noCertificate = createSecureContext({ minVersion: 'TLSv1.2' })
  const opening = new Set<Duplex>()
  // Both ends of every pass-through tunnel: once CONNECT is answered the server no longer tracks them.
  const passing = new Set<Duplex>()

  const intercept = (server: Server, socket: Duplex, host: string): void => {
    const tls: TunnelSocket = new TLSSocket(socket as Socket, {
      isServer: true,
      secureContext: noCertificate,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (servername, done) => {
        if (servername.toLowerCase() !== host) {
          done(new Error(`the client asked for ${clip(servername)} (SNI) in a tunnel opened for ${host}`))
          return
        }
        ca.context(host).then((context) => { done(null, context) }, (error: Error) => { done(error) })
      }
    })
    const timer = setTimeout(() => {
      log.warn({ host }, `tunnel to ${host}: TLS handshake not finished within ${handshakeTimeoutMs} ms; closed`)
      tls.destroy()
    }, handshakeTimeoutMs)
    const opened = (): void => {
      clearTimeout(timer)
      opening.delete(socket)
    }
    const failed = (error: NodeJS.ErrnoException): void => {
      opened()
      log.warn({ host, code: error.code }, `tunnel to ${host}: TLS handshake failed: ${handshakeFailure(error)}`)
      tls.destroy()
    }
    // A client that hangs up mid-handshake leaves the TLS side waiting to finish its own half: end
    // it at once, so it stops counting against maxOpening.
    const hungUp = (): void => {
      log.warn({ host }, `tunnel to ${host}: the client closed it before the TLS handshake finished`)
      tls.destroy()
    }
    tls.once('error', failed)
    tls.once('end', hungUp)
    tls.once('close', () => {
      opened()
      socket.destroy()
    })
    tls.once('secure', () => {
      opened()
      tls.removeListener('error', failed)
      tls.removeListener('end', hungUp)
      tls[TUNNEL_HOST] = host
      server.emit('connection', tls)
    })
  }

  const passThrough = (socket: Duplex, host: string, port: number): void => {
    const target = open(host, port)
    passing.add(target)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      target.destroy(new Error(`no answer within ${dialTimeoutMs} ms`))
    }, dialTimeoutMs)
    let connected = false
    target.once('connect', () => {
      connected = true
      clearTimeout(timer)
      opening.delete(socket)
      passing.add(socket)
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      target.pipe(socket)
      socket.pipe(target)
    })
    target.on('error', (error) => {
      clearTimeout(timer)
      opening.delete(socket)
      log.warn({ host, port }, `tunnel to ${host}:${port}: ${error.message}`)
      if (connected) socket.destroy()
      else refuse(socket, problem(timedOut ? 504 : 502, `The mock could not reach ${host}:${port} (--proxy-tunnel): ${error.message}`))
    })
    target.once('close', () => {
      // An abandoned dial closes without an error: its timeout goes with it.
      clearTimeout(timer)
      passing.delete(target)
      // pipe() has ended the client's side after the target's last bytes: close it once they are
      // written out (destroying it at once could drop what a slow client has not read yet).
      if (!socket.destroyed) socket.end(() => { socket.destroy() })
    })
    // A client that hangs up before the target accepts has given up: the dial is abandoned at once.
    socket.once('end', () => { if (!connected) socket.destroy() })
    socket.once('close', () => {
      passing.delete(socket)
      target.destroy()
    })
  }

  const onConnect = (server: Server) => (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => { log.debug({ err: error }, 'CONNECT socket error') })
    const authority = String(request.url)
    const length = request.headers['content-length']
    if ((length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined || head.length > 0) {
      log.warn({ target: clip(authority) }, `CONNECT ${clip(authority)} refused: it carried a body`)
      refuse(socket, badRequest([{ field: 'body', reason: 'must be empty: send the tunnel\'s bytes after the 200 answer' }], 'A CONNECT request carries no body'))
      return
    }
    const target = connectTarget(authority)
    if (target === null) {
      log.warn({ target: clip(authority) }, 'CONNECT refused: not host:port')
      refuse(socket, badRequest([{ field: 'url', reason: 'must be host:port', source: 'path' }], `CONNECT needs host:port, got "${clip(authority)}"`))
      return
    }
    const { host, port } = target
    const interceptIt = port === INTERCEPT_PORT && intercepted.has(host)
    if (!interceptIt && !tunnels.has(`${host}:${port}`)) {
      log.warn({ host, port }, `CONNECT ${host}:${port} refused: not intercepted and not in --proxy-tunnel`)
      refuse(socket, problem(403, `CONNECT to ${host}:${port} is refused: this mock intercepts only ${hosts.join(', ')} (port 443). Add ${host} to NO_PROXY so the program reaches it directly, or start the mock with --proxy-tunnel ${host}:${port} to tunnel it unchanged`))
      return
    }
    if (opening.size >= maxOpening) {
      log.warn({ host, port }, `CONNECT ${host}:${port} refused: ${maxOpening} tunnels are already opening`)
      refuse(socket, problem(503, `${maxOpening} tunnels are already being opened; try again in a moment`), { 'retry-after': '1' })
      return
    }
    opening.add(socket)
    socket.once('close', () => { opening.delete(socket) })
    if (interceptIt) {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      intercept(server, socket, host)
    } else {
      passThrough(socket, host, port)
    }
  }

  return {
    ca,
    hosts,
    attach: (server, logger) => {
      log = logger
      server.on('connect', onConnect(server))
    },
    close: () => {
      for (const socket of opening) socket.destroy()
      for (const socket of passing) socket.destroy()
    }
  }
}
