import t from 'tap'
import { buildApp } from '../../server/app.js'
import { allowedHost, corsOrigin, hostName } from '../../server/guard.js'
import { build } from '../helpers/app.js'

t.test('host names, allowed-host entries and origins are parsed strictly', async (t) => {
  t.equal(hostName('LocalHost.:8080'), 'localhost')
  t.equal(hostName('[::1]:8080'), '[::1]')
  t.equal(hostName('[::1]'), '[::1]')
  t.equal(hostName('127.0.0.1'), '127.0.0.1')
  for (const bad of ['', '[::1', '[nope]:80', 'a b', 'evil.example:80:80', 'x:port', 'x:123456', 'a..b', 'user@host', '.']) {
    t.equal(hostName(bad), null, JSON.stringify(bad))
  }
  t.equal(allowedHost(' Mock.Test '), 'mock.test')
  t.equal(allowedHost('::1'), '[::1]')
  t.equal(allowedHost('[::1]'), '[::1]')
  for (const bad of ['mock.test:8080', 'http://mock.test', 'mock.test/x', '[::1]:80', '*']) {
    t.same(allowedHost(bad), { error: `expected a host name or address without scheme, port or path, got "${bad}"` }, bad)
  }
  t.equal(corsOrigin('http://LOCALHOST:5173/'), 'http://localhost:5173')
  t.equal(corsOrigin('https://app.example.com:443'), 'https://app.example.com')
  for (const bad of ['localhost:5173', 'http://localhost:5173/app', 'http://a@localhost', 'ftp://x', 'http://x/?q', 'http://x/#h', '*', 'null']) {
    t.same(corsOrigin(bad), { error: `expected an origin like http://localhost:5173, got "${bad}"` }, bad)
  }
})

t.test('buildApp refuses an allowed host or an origin that is none, naming the option', async (t) => {
  t.throws(() => buildApp({ allowedHosts: ['http://mock.test'] }), new TypeError('allowedHosts: expected a host name or address without scheme, port or path, got "http://mock.test"'))
  t.throws(() => buildApp({ corsOrigins: ['localhost:5173'] }), new TypeError('corsOrigins: expected an origin like http://localhost:5173, got "localhost:5173"'))
  const app = build(t, { allowedHosts: ['Mock.Test'], corsOrigins: ['http://LOCALHOST:5173/'] })
  t.equal((await app.inject({ method: 'OPTIONS', url: '/v3/invites' })).headers.allow, 'POST, OPTIONS', 'normalized and in use')
})
