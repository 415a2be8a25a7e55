import t from 'tap'
import { main } from '../../contracts/contract-cli.js'
import { listen } from '../helpers/app.js'
import { assertBadArguments, capture } from '../helpers/cli-io.js'

t.test('--base-url with a path, query or fragment is refused in one line, never silently cut', async (t) => {
  await assertBadArguments(t, [
    [['--base-url', 'http://127.0.0.1:8080/v3/invites'],
      'konnect-invites-contract: --base-url is the server\'s root, without a path: use http://127.0.0.1:8080 (the checks add /v3/invites and /__mock themselves), not http://127.0.0.1:8080/v3/invites'],
    [['--base-url', 'http://127.0.0.1:8080/__mock/', '--coverage'], /^konnect-invites-contract: --base-url is the server's root, without a path: use http:\/\/127\.0\.0\.1:8080 /],
    [['--base-url', 'http://127.0.0.1:8080/?x=1'], /, not http:\/\/127\.0\.0\.1:8080\/\?x=1$/],
    [['--base-url', 'http://127.0.0.1:8080#top'], /, not http:\/\/127\.0\.0\.1:8080#top$/]
  ])
})

t.test('the root, with or without its slash, runs the checks', async (t) => {
  const { url } = await listen(t)
  for (const baseUrl of [url, `${url}/`]) {
    const { out, err, io } = capture()
    t.equal(await main(['--base-url', baseUrl, '--live-safe'], io), 0, baseUrl)
    t.same(err, [])
    t.match(out.at(-1), `against ${url}: all conform`)
  }
})
