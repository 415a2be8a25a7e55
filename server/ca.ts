/**
 * The proxy's certificate authority: an ECDSA P-256 CA whose certificate carries critical name
 * constraints permitting only the intercepted hosts, so even its leaked key cannot vouch for any
 * other site. It lives in one folder (`ca.pem`, and `ca-key.pem` with mode 0600), is reused across
 * runs, renewed before it expires and replaced when its constraints do not cover the hosts now
 * intercepted. Leaf certificates are minted per host in memory, cached and short-lived. Built on
 * `@peculiar/x509` over Node's WebCrypto: no ASN.1 written here, no `openssl` binary.
 */
import 'reflect-metadata'
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { webcrypto } from 'node:crypto'
import { join } from 'node:path'
import { createSecureContext, type SecureContext } from 'node:tls'
import * as x509 from '@peculiar/x509'
import { AsnConvert } from '@peculiar/asn1-schema'
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints as NAME_CONSTRAINTS_OID, NameConstraints } from '@peculiar/asn1-x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY_MS = 86_400_000
/** How long a new CA is valid. */
export const CA_LIFETIME_MS = 365 * DAY_MS
/** A CA with less than this left is replaced at start-up, so a long run never outlives it. */
export const CA_RENEW_BEFORE_MS = 30 * DAY_MS
/** How long a leaf is valid: one day, minted again when less than `LEAF_RENEW_BEFORE_MS` is left. */
export const LEAF_LIFETIME_MS = DAY_MS
const LEAF_RENEW_BEFORE_MS = 3_600_000
/** Certificates start this far in the past, for clients whose clock runs behind. */
const BACKDATE_MS = 3_600_000

export const CA_FILE = 'ca.pem'
export const CA_KEY_FILE = 'ca-key.pem'
/** Held (a folder, made atomically) while a CA is written, so two starts at once agree on one CA. */
export const CA_LOCK = 'ca.lock'
/** A lock older than this was left by a process that died while writing: taken over. */
export const CA_LOCK_STALE_MS = 10_000
const LOCK_POLL_MS = 20

/** A leaf certificate and its key, PEM. */
export interface Leaf {
  cert: string
  key: string
  notAfter: Date
}

/** Where a CA is kept and for which hosts, and what to tell about it. */
export interface CaOptions {
  dir: string
  /** The hosts its name constraints must permit. */
  hosts: readonly string[]
  /** The clock, ms since the epoch. */
  now?: () => number
  /** Told, in one line, when a CA is created, renewed or replaced. */
  log?: (line: string) => void
}

/** A random positive serial number, as hex. */
function serial (): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0]! &= 0x7f
  bytes[0]! |= 0x01
  return Buffer.from(bytes).toString('hex')
}

async function newKeys (): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair
}

async function privatePem (key: CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`
}

/**
 * The DNS names a certificate's name constraints permit; `null` when it has none (it could sign
 * for any name, and is never kept).
 */
export function permittedNames (cert: x509.X509Certificate): string[] | null {
  const extension = cert.getExtension(NAME_CONSTRAINTS_OID)
  if (extension === null) return null
  const constraints = AsnConvert.parse(extension.value, NameConstraints)
  return (constraints.permittedSubtrees ?? []).flatMap((subtree) => subtree.base.dNSName === undefined ? [] : [subtree.base.dNSName.toLowerCase()])
}

/** Whether a DNS name constraint permits a host: the name itself or a name under it (RFC 5280 §4.2.1.10). */
function permits (names: readonly string[], host: string): boolean {
  return names.some((name) => host === name || host.endsWith(`.${name}`))
}

/**
 * A certificate authority in memory: its certificate, and the leaves it mints.
 * @example
 * const ca = await loadCa({ dir: '/tmp/ca', hosts: ['global.api.konghq.com'] })
 * const context = await ca.context('global.api.konghq.com')
 */
export class CertificateAuthority {
  /** The CA certificate, PEM (what clients trust). */
  readonly certPem: string
  private readonly leaves = new Map<string, Promise<{ context: SecureContext, notAfter: number }>>()
  private leafKeys: Promise<CryptoKeyPair> | undefined

  constructor (readonly path: string, readonly cert: x509.X509Certificate, private readonly keys: CryptoKeyPair, private readonly now: () => number) {
    this.certPem = cert.toString('pem')
  }

  /**
   * Mints a leaf certificate for `host`, valid `lifetimeMs` from now (minus a backdate), signed by
   * this CA's key whatever its name constraints say: they are for clients to enforce.
   */
  async mint (host: string, lifetimeMs = LEAF_LIFETIME_MS): Promise<Leaf> {
    this.leafKeys ??= newKeys()
    const leafKeys = await this.leafKeys
    const now = this.now()
    const notAfter = new Date(now + lifetimeMs)
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: [{ CN: [host] }],
      issuer: this.cert.subject,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter,
      publicKey: leafKeys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey)
      ]
    })
    return { cert: cert.toString('pem'), key: await privatePem(leafKeys.privateKey), notAfter }
  }

  /**
   * The TLS context serving `host`: its leaf with the CA certificate, minted once and minted
   * again when less than an hour of it is left.
   */
  async context (host: string): Promise<SecureContext> {
    const cached = this.leaves.get(host)
    if (cached !== undefined) {
      const leaf = await cached
      if (leaf.notAfter - this.now() > LEAF_RENEW_BEFORE_MS) return leaf.context
      if (this.leaves.get(host) === cached) this.leaves.delete(host)
      return await this.context(host)
    }
    const minted = this.mint(host).then((leaf) => ({
      context: createSecureContext({ cert: `${leaf.cert}\n${this.certPem}\n`, key: leaf.key, minVersion: 'TLSv1.2' }),
      notAfter: leaf.notAfter.getTime()
    }))
    this.leaves.set(host, minted)
    minted.catch(() => { this.leaves.delete(host) })
    return (await minted).context
  }
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
function writeWhole (path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`
  // Created afresh (O_EXCL): a file or link already at that name, in a folder others can write,
  // is never followed, so the key cannot be written anywhere but here.
  rmSync(temporary, { force: true })
  writeFileSync(temporary, text, { mode, flag: 'wx' })
  chmodSync(temporary, mode)
  renameSync(temporary, path)
}

/** The CA kept in `dir`, if it is whole and usable for `hosts` until well after `now`; else why not. */
async function kept (dir: string, hosts: readonly string[], now: number): Promise<{ cert: x509.X509Certificate, keys: CryptoKeyPair } | { why: string }> {
  let certText: string
  let keyText: string
  try {
    certText = readFileSync(join(dir, CA_FILE), 'utf8')
    keyText = readFileSync(join(dir, CA_KEY_FILE), 'utf8')
  } catch (error) {
    return { why: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'none yet' : `unreadable (${(error as Error).message})` }
  }
  let cert: x509.X509Certificate
  let keys: CryptoKeyPair
  try {
    cert = new x509.X509Certificate(certText)
    const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyText), ALGORITHM, true, ['sign'])
    const publicKey = await cert.publicKey.export(ALGORITHM, ['verify']) as unknown as CryptoKey
    const [mine, theirs] = await Promise.all([webcrypto.subtle.exportKey('jwk', privateKey), webcrypto.subtle.exportKey('jwk', publicKey)])
    if (mine.x !== theirs.x || mine.y !== theirs.y) return { why: 'its key does not match its certificate' }
    keys = { privateKey, publicKey }
  } catch (error) {
    return { why: `not a usable CA (${(error as Error).message})` }
  }
  const names = permittedNames(cert)
  const uncovered = hosts.filter((host) => names === null || !permits(names, host))
  if (uncovered.length > 0) return { why: `its name constraints do not cover ${uncovered.join(', ')}` }
  if (cert.notAfter.getTime() - now < CA_RENEW_BEFORE_MS) return { why: `it expires on ${cert.notAfter.toISOString()}` }
  if (cert.notBefore.getTime() > now) return { why: `it is not valid until ${cert.notBefore.toISOString()} (the clock went back)` }
  return { cert, keys }
}

/**
 * Creates a CA certificate for `hosts` with a fresh key: self-signed, critical basic constraints
 * (a CA, no intermediate below it), critical name constraints permitting only those DNS names.
 */
async function createCa (hosts: readonly string[], now: number): Promise<{ cert: x509.X509Certificate, keys: CryptoKeyPair }> {
  const keys = await newKeys()
  const permitted = new GeneralSubtrees(hosts.map((host) => new GeneralSubtree({ base: new GeneralName({ dNSName: host }) })))
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [`konnect-invites-mock local CA ${new Date(now).toISOString().slice(0, 10)}`] }, { O: ['konnect-invites-mock'] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension(NAME_CONSTRAINTS_OID, true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { cert, keys }
}

/**
 * Runs `write` holding the folder's lock: a second process (or call) starting at the same moment
 * waits, then finds the CA the first one wrote instead of writing another (the key of one and the
 * certificate of the other would match neither).
 */
async function locked<T> (dir: string, write: () => Promise<T>): Promise<T> {
  const lock = join(dir, CA_LOCK)
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      // A lock gone between mkdir and stat (its holder just finished) counts as stale: try again at once.
      /* c8 ignore next */
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0
      if (Date.now() - since > CA_LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true })
      else await sleep(LOCK_POLL_MS)
    }
  }
  try {
    return await write()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/**
 * Loads the CA kept in `dir`, or makes one (creating the folder, mode 0700) when there is none,
 * it has less than 30 days left or is not valid yet, or its constraints miss one of `hosts`; a replaced CA is logged with
 * the reason. A key file readable by others is made private again. Throws when the folder cannot
 * be written.
 * @example const ca = await loadCa({ dir: '/tmp/ca', hosts: ['global.api.konghq.com'], log: console.error })
 */
export async function loadCa (options: CaOptions): Promise<CertificateAuthority> {
  const { dir, hosts, now = Date.now, log = () => {} } = options
  const certPath = join(dir, CA_FILE)
  const keyPath = join(dir, CA_KEY_FILE)
  const found = await kept(dir, hosts, now())
  if ('cert' in found) {
    if ((statSync(keyPath).mode & 0o077) !== 0) {
      chmodSync(keyPath, 0o600)
      log(`the CA key ${keyPath} was readable by others: made private (mode 0600)`)
    }
    return new CertificateAuthority(certPath, found.cert, found.keys, now)
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return await locked(dir, async () => {
    // Another start may have written a fitting CA while this one waited for the lock.
    const again = await kept(dir, hosts, now())
    if ('cert' in again) return new CertificateAuthority(certPath, again.cert, again.keys, now)
    const made = await createCa(hosts, now())
    writeWhole(keyPath, await privatePem(made.keys.privateKey), 0o600)
    writeWhole(certPath, `${made.cert.toString('pem')}\n`, 0o644)
    log(again.why === 'none yet'
      ? `created a CA for ${hosts.join(', ')} in ${certPath}`
      : `replaced the CA in ${certPath} (${again.why}): programs must trust the new one`)
    return new CertificateAuthority(certPath, made.cert, made.keys, now)
  })
}
