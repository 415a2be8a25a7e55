import t from 'tap'
import { isLoopback, listenUrl } from '../../server/address.js'

t.test('listenUrl brackets IPv6 addresses', async (t) => {
  t.equal(listenUrl('127.0.0.1', 8080), 'http://127.0.0.1:8080')
  t.equal(listenUrl('localhost', 1), 'http://localhost:1')
  t.equal(listenUrl('::1', 8080), 'http://[::1]:8080')
  t.equal(listenUrl('fe80::1%lo', 9), 'http://[fe80::1%lo]:9')
})

t.test('isLoopback knows the names and addresses only this machine reaches', async (t) => {
  for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost', '127.8.9.10']) t.ok(isLoopback(host), host)
  for (const host of ['0.0.0.0', '::', '192.168.1.2', '127.example.com', '[::2]', '127.0.0.1.nip.io']) t.notOk(isLoopback(host), host)
})
