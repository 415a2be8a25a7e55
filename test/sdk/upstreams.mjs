// Two loopback upstreams for the Go SDK suite's --upstream mocks, their ports printed as one line
// (`silent=<port> date=<port>`): one accepts connections and never answers (the mock's 504), the other
// answers every request 429 with Retry-After as an HTTP-date one to two seconds ahead.
import { createServer as createTcpServer } from 'node:net'
import { createServer } from 'node:http'

const silent = createTcpServer(() => {})
const date = createServer((request, response) => {
  request.resume()
  const until = new Date((Math.floor(Date.now() / 1000) + 2) * 1000)
  response.writeHead(429, {
    'content-type': 'application/problem+json',
    'retry-after': until.toUTCString(),
    'ratelimit-limit': '10',
    'ratelimit-remaining': '0',
    'ratelimit-reset': '2'
  })
  response.end(JSON.stringify({ status: 429, title: 'Too Many Requests', instance: 'konnect:trace:4', detail: 'Too many requests' }))
})
const listening = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))
console.log(`silent=${await listening(silent)} date=${await listening(date)}`)
