import t from 'tap'
import { forbiddenExamples, inviteExamples, unauthorizedExample } from '../../contracts/examples.js'
import { checkContract } from '../../contracts/validate.js'
import { contractForStatus } from '../../contracts/schemas.js'
import { publishedInviteExamples, publishedResponseExample } from '../helpers/published.js'

t.test('the invite examples are the published ones, same names, order, values and key order', async (t) => {
  const expected = publishedInviteExamples()
  t.equal(expected.length, 12, 'the document names twelve examples')
  t.same(inviteExamples.map((e) => e.name), expected.map((e) => e.name))
  for (const [i, example] of inviteExamples.entries()) {
    t.equal(example.status, expected[i]!.status, `${example.name}: status`)
    t.strictSame(example.value, expected[i]!.value, `${example.name}: value`)
    t.equal(JSON.stringify(example.value), JSON.stringify(expected[i]!.value), `${example.name}: key order`)
  }
})

t.test('the 401 and 403 examples are the published ones', async (t) => {
  t.equal(JSON.stringify(unauthorizedExample.value), JSON.stringify(publishedResponseExample(401, 'Unauthorized')))
  t.same(forbiddenExamples.map((e) => e.name), ['Permission Denied', 'Invalid Permissions', 'Username or Password invalid'])
  for (const example of forbiddenExamples) {
    t.equal(JSON.stringify(example.value), JSON.stringify(publishedResponseExample(403, example.name)), example.name)
  }
})

t.test('every example names its component and meets the contract of its status', async (t) => {
  for (const example of [...inviteExamples, unauthorizedExample, ...forbiddenExamples]) {
    t.match(example.ref, /^(\d{3}-[a-z0-9-]+|inline)$/, `${example.name}: ref`)
    t.equal(example.value.status, example.status, `${example.name}: status in the body`)
    t.same(checkContract(contractForStatus[example.status]!, example.value), [], `${example.name}: contract`)
  }
  t.equal(inviteExamples.filter((e) => e.ref === 'inline').length, 1, 'only "Unsupported filter operation" is written in place')
})
