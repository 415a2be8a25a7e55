import { once } from 'node:events'
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { webcrypto } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { connect, createServer } from 'node:tls'
import t from 'tap'
import { CA_FILE, CA_KEY_FILE, CA_LOCK, CA_LOCK_STALE_MS, CA_LIFETIME_MS, CA_RENEW_BEFORE_MS, CertificateAuthority, LEAF_LIFETIME_MS, loadCa, type Leaf, permittedNames } from '../../server/ca.js'
import * as x509 from '@peculiar/x509'
import { AsnConvert } from '@peculiar/asn1-schema'
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints as NAME_CONSTRAINTS_OID, NameConstraints } from '@peculiar/asn1-x509'
import { KONNECT_API_HOSTS } from '../../server/proxy-hosts.js'
import { createProxy } from '../../server/proxy.js'
import { assertProblem, build } from '../helpers/app.js'

const GLOBAL = 'global.api.konghq.com'
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY_MS = 86_400_000
/** OpenSSL's X509_V_ERR_PERMITTED_VIOLATION, as Node's TLS client reports it. */
const VIOLATION = 'UNSPECIFIED permitted subtree violation'

const ROOT = t.testdir()
let made = 0

/** A CA made in a fresh folder, with the lines it logged. */
async function freshCa (hosts: readonly string[] = KONNECT_API_HOSTS, now?: () => number) {
  const dir = join(ROOT, `ca-${++made}`)
  const lines: string[] = []
  const ca = await loadCa({ dir, hosts, now, log: (line) => lines.push(line) })
  return { dir, ca, lines }
}

/** The CA's key pair as a thief holding `ca-key.pem` would have it. */
async function stolenKeys (dir: string): Promise<webcrypto.CryptoKeyPair> {
  const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(readFileSync(join(dir, CA_KEY_FILE), 'utf8')), ALGORITHM, true, ['sign'])
  const cert = new x509.X509Certificate(readFileSync(join(dir, CA_FILE), 'utf8'))
  const publicKey = await cert.publicKey.export(ALGORITHM, ['verify']) as unknown as webcrypto.CryptoKey
  return { privateKey, publicKey }
}

/** A leaf for `host` signed with `signer`, made with the X.509 library directly (not the mock's code). */
async function forgeLeaf (issuer: x509.X509Certificate, signer: webcrypto.CryptoKeyPair, host: string): Promise<{ cert: string, key: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0badcafe01',
    subject: [{ CN: [host] }],
    issuer: issuer.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY_MS),
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
      await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey)
    ]
  })
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')
  return { cert: cert.toString('pem'), key }
}

/**
 * A TLS server on loopback with `cert` (and the chain after it), and Node's TLS client trusting
 * only `ca`, asking for `servername`: 'trusted', or the client's error (code and message; Node
 * reports a name-constraint violation as UNSPECIFIED with OpenSSL's words).
 */
async function handshake (served: { cert: string, key: string }, ca: string, servername: string): Promise<string> {
  const server = createServer({ cert: served.cert, key: served.key }, (socket) => { socket.end() })
  server.on('tlsClientError', () => {})
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    return await new Promise<string>((resolve) => {
      const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername, ca })
      client.once('secureConnect', () => { client.destroy(); resolve(client.authorized ? 'trusted' : String(client.authorizationError)) })
      client.once('error', (error: NodeJS.ErrnoException) => { client.destroy(); resolve(`${error.code ?? ''} ${error.message}`.trim()) })
    })
  } finally {
    server.close()
  }
}

t.test('name constraints: a leaf for any other host, signed with the CA\'s own key, is refused by a TLS client', async (t) => {
  const { dir, ca } = await freshCa()
  const extension = ca.cert.getExtension(NAME_CONSTRAINTS_OID)!
  t.equal(extension.critical, true, 'the name constraints are critical: a client that cannot read them must refuse the CA')
  t.same(permittedNames(ca.cert), KONNECT_API_HOSTS, 'they permit exactly the intercepted hosts')
  t.equal(ca.cert.getExtension(x509.BasicConstraintsExtension)!.ca, true)

  const keys = await stolenKeys(dir)
  const good = await forgeLeaf(ca.cert, keys, GLOBAL)
  t.equal(await handshake(good, ca.certPem, GLOBAL), 'trusted', `a leaf for ${GLOBAL} from the CA is accepted`)
  for (const host of ['evil.example', 'api.konghq.com', 'konghq.com', 'global.api.konghq.com.evil.example']) {
    const rogue = await forgeLeaf(ca.cert, keys, host)
    t.equal(await handshake(rogue, ca.certPem, host), VIOLATION, `a leaf for ${host}, signed with the CA key, is refused`)
  }
  const minted = await ca.mint('evil.example')
  t.equal(await handshake(minted, ca.certPem, 'evil.example'), VIOLATION, 'the mock\'s own mint cannot make one either')

  // The control: the same key under a certificate without name constraints vouches for anything,
  // so the refusal above comes from the constraints and nothing else.
  const unconstrained = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)]
  })
  const rogue = await forgeLeaf(ca.cert, keys, 'evil.example')
  t.equal(await handshake(rogue, unconstrained.toString('pem'), 'evil.example'), 'trusted', 'without the constraints the same leaf would be trusted')
  t.equal(permittedNames(unconstrained), null, 'a certificate without the extension has no permitted names')
})

t.test('permittedNames reads the DNS names a certificate permits, and nothing else', async (t) => {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const withConstraints = async (constraints: NameConstraints): Promise<x509.X509Certificate> => await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '03',
    name: 'CN=constrained',
    notBefore: new Date(),
    notAfter: new Date(Date.now() + DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.Extension(NAME_CONSTRAINTS_OID, true, AsnConvert.serialize(constraints))]
  })
  const subtrees = (...names: GeneralName[]): GeneralSubtrees => new GeneralSubtrees(names.map((base) => new GeneralSubtree({ base })))
  const mixed = await withConstraints(new NameConstraints({ permittedSubtrees: subtrees(new GeneralName({ dNSName: 'Global.API.Example.com' }), new GeneralName({ iPAddress: '127.0.0.1' }), new GeneralName({ rfc822Name: 'a@example.com' })) }))
  t.same(permittedNames(mixed), ['global.api.example.com'], 'DNS names only, lower-cased')
  const excludedOnly = await withConstraints(new NameConstraints({ excludedSubtrees: subtrees(new GeneralName({ dNSName: 'example.com' })) }))
  t.same(permittedNames(excludedOnly), [], 'exclusions alone permit no name here (such a CA is never kept)')
})

t.test('an added host is in the constraints; the mock\'s leaves for every intercepted host are trusted', async (t) => {
  const hosts = [...KONNECT_API_HOSTS, 'global.api.mock.test']
  const { ca } = await freshCa(hosts)
  t.same(permittedNames(ca.cert), hosts)
  for (const host of hosts) t.equal(await handshake(await ca.mint(host), ca.certPem, host), 'trusted', host)
  t.match(await handshake(await ca.mint(GLOBAL), ca.certPem, 'us.api.konghq.com'), /^ERR_TLS_CERT_ALTNAME_INVALID /, 'a leaf serves its own host only')
})

t.test('first use creates the CA: key private, certificate readable, folder private', async (t) => {
  const { dir, ca, lines } = await freshCa()
  t.same(lines, [`created a CA for ${KONNECT_API_HOSTS.join(', ')} in ${join(dir, CA_FILE)}`])
  t.equal(ca.path, join(dir, CA_FILE))
  t.equal(statSync(join(dir, CA_KEY_FILE)).mode & 0o777, 0o600, 'the key is mode 0600')
  t.equal(statSync(join(dir, CA_FILE)).mode & 0o777, 0o644, 'the certificate is readable by all')
  t.equal(statSync(dir).mode & 0o777, 0o700, 'the folder it made is private')
  t.equal(readFileSync(join(dir, CA_FILE), 'utf8').trim(), ca.certPem.trim(), 'ca.pem is the certificate in use')
  t.match(readFileSync(join(dir, CA_KEY_FILE), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/)
  t.notMatch(ca.certPem, /PRIVATE KEY/)
  const lifetime = ca.cert.notAfter.getTime() - ca.cert.notBefore.getTime()
  t.ok(lifetime > CA_LIFETIME_MS && lifetime <= CA_LIFETIME_MS + 3_600_000, 'valid for CA_LIFETIME_MS (backdated an hour)')
  t.ok(await ca.cert.verify({ signatureOnly: true }), 'self-signed')
  t.equal((await ca.cert.publicKey.export()).algorithm.name, 'ECDSA')
  t.equal((ca.cert.publicKey.algorithm as webcrypto.EcKeyAlgorithm).namedCurve, 'P-256')
})

t.test('a file or link planted at the temporary name is not followed: the key is written only in the folder', async (t) => {
  const dir = join(ROOT, `ca-${++made}`)
  mkdirSync(dir)
  const elsewhere = join(t.testdir(), 'elsewhere.pem')
  writeFileSync(elsewhere, 'untouched\n')
  symlinkSync(elsewhere, join(dir, `${CA_KEY_FILE}.${process.pid}.tmp`))
  writeFileSync(join(dir, `${CA_FILE}.${process.pid}.tmp`), 'stale\n')
  const ca = await loadCa({ dir, hosts: KONNECT_API_HOSTS })
  t.equal(readFileSync(elsewhere, 'utf8'), 'untouched\n', 'the link\'s target is not written')
  t.equal(lstatSync(join(dir, CA_KEY_FILE)).isFile(), true, 'the key is a plain file in the folder')
  t.equal(statSync(join(dir, CA_KEY_FILE)).mode & 0o777, 0o600)
  t.equal(readFileSync(join(dir, CA_FILE), 'utf8').trim(), ca.certPem.trim())
  t.same(readdirSync(dir).sort(), [CA_KEY_FILE, CA_FILE].sort(), 'no temporary file is left')
})

t.test('the CA is reused across loads; a key readable by others is made private again', async (t) => {
  const { dir, ca } = await freshCa()
  const lines: string[] = []
  const again = await loadCa({ dir, hosts: KONNECT_API_HOSTS, log: (line) => lines.push(line) })
  t.equal(again.certPem, ca.certPem, 'the same certificate')
  t.same(lines, [], 'nothing to say')
  const fewer = await loadCa({ dir, hosts: [GLOBAL] })
  t.equal(fewer.certPem, ca.certPem, 'fewer hosts are still covered')
  t.equal(await handshake(await again.mint(GLOBAL), ca.certPem, GLOBAL), 'trusted', 'the reloaded key signs for the same certificate')

  chmodSync(join(dir, CA_KEY_FILE), 0o644)
  const loose = await loadCa({ dir, hosts: KONNECT_API_HOSTS, log: (line) => lines.push(line) })
  t.equal(loose.certPem, ca.certPem)
  t.equal(statSync(join(dir, CA_KEY_FILE)).mode & 0o777, 0o600)
  t.same(lines, [`the CA key ${join(dir, CA_KEY_FILE)} was readable by others: made private (mode 0600)`])
  t.equal(typeof (await loadCa({ dir, hosts: [GLOBAL] })), 'object', 'the log is optional')
})

t.test('renewed when within CA_RENEW_BEFORE_MS of expiry, not before', async (t) => {
  t.equal(CA_RENEW_BEFORE_MS, 30 * DAY_MS, 'the 30 days `ca --help` and docs/proxy.md name')
  const start = Date.UTC(2030, 0, 1)
  const { dir, ca } = await freshCa(KONNECT_API_HOSTS, () => start)
  t.equal(ca.cert.notAfter.getTime(), start + CA_LIFETIME_MS, 'the injected clock dates it')
  const lines: string[] = []
  const justBefore = start + CA_LIFETIME_MS - CA_RENEW_BEFORE_MS
  const kept = await loadCa({ dir, hosts: KONNECT_API_HOSTS, now: () => justBefore, log: (line) => lines.push(line) })
  t.equal(kept.certPem, ca.certPem, 'exactly CA_RENEW_BEFORE_MS left: kept')
  t.same(lines, [])
  const renewed = await loadCa({ dir, hosts: KONNECT_API_HOSTS, now: () => justBefore + 1, log: (line) => lines.push(line) })
  t.not(renewed.certPem, ca.certPem, 'a millisecond less: a new CA')
  t.equal(renewed.cert.notAfter.getTime(), Math.floor((justBefore + 1 + CA_LIFETIME_MS) / 1000) * 1000, 'dated by the clock (X.509 keeps whole seconds)')
  t.same(lines, [`replaced the CA in ${join(dir, CA_FILE)} (it expires on ${ca.cert.notAfter.toISOString()}): programs must trust the new one`])
  t.equal(readFileSync(join(dir, CA_FILE), 'utf8').trim(), renewed.certPem.trim(), 'ca.pem holds the new one')
  t.equal(statSync(join(dir, CA_KEY_FILE)).mode & 0o777, 0o600, 'its key is private too')
  const expired = await loadCa({ dir, hosts: KONNECT_API_HOSTS, now: () => justBefore + 2 * CA_LIFETIME_MS })
  t.not(expired.certPem, renewed.certPem, 'an expired CA is replaced too')
  const early: string[] = []
  const back = expired.cert.notBefore.getTime() - 1
  const notYet = await loadCa({ dir, hosts: KONNECT_API_HOSTS, now: () => back, log: (line) => early.push(line) })
  t.not(notYet.certPem, expired.certPem, 'a CA not valid yet (the clock went back) is replaced')
  t.same(early, [`replaced the CA in ${join(dir, CA_FILE)} (it is not valid until ${expired.cert.notBefore.toISOString()} (the clock went back)): programs must trust the new one`])
})

t.test('replaced with a line when its constraints miss a host now intercepted', async (t) => {
  const { dir, ca } = await freshCa()
  const lines: string[] = []
  const hosts = [...KONNECT_API_HOSTS, 'global.api.mock.test', 'eu.api.mock.test']
  const wider = await loadCa({ dir, hosts, log: (line) => lines.push(line) })
  t.not(wider.certPem, ca.certPem)
  t.same(permittedNames(wider.cert), hosts)
  t.same(lines, [`replaced the CA in ${join(dir, CA_FILE)} (its name constraints do not cover global.api.mock.test, eu.api.mock.test): programs must trust the new one`])
  t.equal(await handshake(await wider.mint('global.api.mock.test'), wider.certPem, 'global.api.mock.test'), 'trusted')
})

t.test('an unusable CA is replaced with a line saying why; a folder that cannot hold one is an error', async (t) => {
  const { dir, ca } = await freshCa()
  const certPath = join(dir, CA_FILE)
  const keyPath = join(dir, CA_KEY_FILE)
  const original = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') }
  const other = await freshCa()
  const cases: Array<[string, () => void, RegExp]> = [
    ['a corrupt certificate', () => { writeFileSync(certPath, 'not a certificate\n') }, /^replaced the CA in .* \(not a usable CA \(.+\)\): programs must trust the new one$/],
    ['a corrupt key', () => { writeFileSync(keyPath, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') }, /\(not a usable CA \(.+\)\)/],
    ['an empty key file', () => { writeFileSync(keyPath, '') }, /\(not a usable CA \(.+\)\)/],
    ['another CA\'s key', () => { writeFileSync(keyPath, readFileSync(join(other.dir, CA_KEY_FILE))) }, /\(its key does not match its certificate\)/],
    ['a certificate without name constraints', () => { writeFileSync(certPath, unconstrainedPem); writeFileSync(keyPath, unconstrainedKey) }, /\(its name constraints do not cover global\.api\.konghq\.com, .*sg\.api\.konghq\.com\)/],
    ['a missing key', () => { rmSync(keyPath) }, /^created a CA/]
  ]
  // A CA certificate whose key matches but which carries no name constraints.
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const unconstrainedPem = (await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'CN=unconstrained',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 400 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)]
  })).toString('pem')
  const unconstrainedKey = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')
  for (const [what, spoil, line] of cases) {
    writeFileSync(certPath, original.cert)
    writeFileSync(keyPath, original.key)
    spoil()
    const lines: string[] = []
    const replaced = await loadCa({ dir, hosts: KONNECT_API_HOSTS, log: (l) => lines.push(l) })
    t.not(replaced.certPem, ca.certPem, `${what}: a new CA`)
    t.equal(lines.length, 1, `${what}: one line`)
    t.match(lines[0], line, what)
    t.notMatch(lines[0], /\n/)
    t.equal(statSync(keyPath).mode & 0o777, 0o600, `${what}: the new key is private`)
    t.equal((await loadCa({ dir, hosts: KONNECT_API_HOSTS })).certPem, replaced.certPem, `${what}: the new CA is kept`)
  }

  // ca.pem as a folder: unreadable, and it cannot be replaced either.
  const blocked = join(t.testdir(), 'blocked')
  mkdirSync(join(blocked, CA_FILE), { recursive: true })
  writeFileSync(join(blocked, CA_KEY_FILE), original.key)
  await t.rejects(loadCa({ dir: blocked, hosts: KONNECT_API_HOSTS }), { code: 'EISDIR' }, 'an unreadable ca.pem that cannot be replaced is an error')
  const file = join(t.testdir(), 'a-file')
  writeFileSync(file, '')
  await t.rejects(loadCa({ dir: join(file, 'ca'), hosts: KONNECT_API_HOSTS }), { code: 'ENOTDIR' }, 'a folder that cannot be made is an error')
})

t.test('starts at the same moment agree on one CA; a lock left by a dead process is taken over', async (t) => {
  const dir = join(ROOT, `ca-${++made}`)
  const lines: string[] = []
  const loads = await Promise.all(Array.from({ length: 5 }, async () => await loadCa({ dir, hosts: KONNECT_API_HOSTS, log: (line) => lines.push(line) })))
  t.equal(new Set(loads.map((ca) => ca.certPem)).size, 1, 'every one uses the same CA')
  t.equal(readFileSync(join(dir, CA_FILE), 'utf8').trim(), loads[0]!.certPem.trim(), 'the one in ca.pem')
  t.equal(await handshake(await loads[4]!.mint(GLOBAL), readFileSync(join(dir, CA_FILE), 'utf8'), GLOBAL), 'trusted', 'whose key is the one in ca-key.pem')
  t.equal(lines.length, 1, 'made once')
  t.notOk(existsSync(join(dir, CA_LOCK)), 'the lock is gone')

  const hosts = [...KONNECT_API_HOSTS, 'global.api.mock.test']
  mkdirSync(join(dir, CA_LOCK))
  const old = (Date.now() - CA_LOCK_STALE_MS - 1000) / 1000
  utimesSync(join(dir, CA_LOCK), old, old)
  const after = await loadCa({ dir, hosts })
  t.same(permittedNames(after.cert), hosts, 'a stale lock does not stop a replacement')
  t.notOk(existsSync(join(dir, CA_LOCK)))

  mkdirSync(join(dir, CA_LOCK))
  const waiting = loadCa({ dir, hosts: [...hosts, 'eu.api.mock.test'] })
  let settled = false
  waiting.then(() => { settled = true }, () => {})
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.equal(settled, false, 'a fresh lock is waited for')
  rmSync(join(dir, CA_LOCK), { recursive: true })
  t.same(permittedNames((await waiting).cert), [...hosts, 'eu.api.mock.test'], 'and taken once released')

  // A folder whose lock cannot be made: its path is as long as Linux allows, so no name fits in it.
  let long = t.testdir()
  while (long.length < 4090 - 201) long = join(long, 'd'.repeat(200))
  long = join(long, 'd'.repeat(4090 - long.length - 1))
  mkdirSync(long, { recursive: true })
  await t.rejects(loadCa({ dir: long, hosts: KONNECT_API_HOSTS }), { code: 'ENAMETOOLONG' }, 'any other failure to lock is an error')
})

t.test('leaves: minted per host, cached, short-lived, minted again when they run out', async (t) => {
  let clock = Date.UTC(2030, 0, 1)
  const { ca } = await freshCa(KONNECT_API_HOSTS, () => clock)
  const leaf = await ca.mint(GLOBAL)
  const cert = new x509.X509Certificate(leaf.cert)
  t.equal(leaf.notAfter.getTime(), clock + LEAF_LIFETIME_MS, 'valid LEAF_LIFETIME_MS from now')
  t.ok(cert.notAfter.getTime() - clock <= LEAF_LIFETIME_MS)
  t.equal(LEAF_LIFETIME_MS, DAY_MS, 'one day')
  t.same(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON(), [{ type: 'dns', value: GLOBAL }], 'for that exact host')
  t.equal(cert.issuer, ca.cert.subject)
  t.ok(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }), 'signed by the CA')
  t.equal(cert.getExtension(x509.BasicConstraintsExtension)!.ca, false, 'not a CA')
  t.match(leaf.key, /^-----BEGIN PRIVATE KEY-----/)
  t.equal((await ca.mint(GLOBAL, 60_000)).notAfter.getTime(), clock + 60_000, 'a lifetime may be given')

  const first = await ca.context(GLOBAL)
  t.equal(await ca.context(GLOBAL), first, 'cached: the same context on a second ask')
  const [a, b] = await Promise.all([ca.context('us.api.konghq.com'), ca.context('us.api.konghq.com')])
  t.equal(a, b, 'two asks at once share one mint')
  t.not(a, first, 'one per host')

  clock += LEAF_LIFETIME_MS - 3_600_000 - 1
  t.equal(await ca.context(GLOBAL), first, 'kept while more than an hour is left')
  clock += 2
  const [renewed, alsoRenewed] = await Promise.all([ca.context(GLOBAL), ca.context(GLOBAL)])
  t.not(renewed, first, 'minted again when less than an hour is left')
  t.equal(alsoRenewed, renewed, 'two asks that find it running out share the new one')
  t.equal(await ca.context(GLOBAL), renewed)
})

t.test('a failed mint is not cached: the next ask mints afresh', async (t) => {
  const { dir, ca } = await freshCa()
  let failures = 1
  class FlakyCa extends CertificateAuthority {
    override async mint (host: string): Promise<Leaf> {
      if (failures-- > 0) throw new Error('the signing key went away')
      return await super.mint(host)
    }
  }
  const flaky = new FlakyCa(ca.path, ca.cert, await stolenKeys(dir), Date.now)
  await t.rejects(flaky.context(GLOBAL), { message: 'the signing key went away' })
  const context = await flaky.context(GLOBAL)
  t.ok(context, 'minted')
  t.equal(await flaky.context(GLOBAL), context, 'and cached')
})

t.test('GET /__mock/ca.pem serves the CA certificate, never its key; without --proxy a 404 problem', async (t) => {
  const caDir = t.testdir()
  const proxy = await createProxy({ caDir })
  const app = build(t, { proxy })
  const res = await app.inject({ url: '/__mock/ca.pem' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/x-pem-file')
  t.equal(res.body, proxy.ca.certPem)
  t.equal(res.body.trim(), readFileSync(join(caDir, CA_FILE), 'utf8').trim(), 'the certificate programs are told to trust')
  t.notMatch(res.body, /PRIVATE KEY/)
  t.equal(new x509.X509Certificate(res.body).subject, proxy.ca.cert.subject)

  const plain = build(t)
  const none = await plain.inject({ url: '/__mock/ca.pem' })
  const body = assertProblem(t, none, 404)
  t.equal(body.detail, 'There is no CA: the mock runs without --proxy (start it with --proxy to make one)')
})
