import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { main } from '../../contracts/contract-cli.js'
import { loadOpenApi } from '../../contracts/openapi.js'
import { contractDrift, formatDifference, mockContract, snapshotOpenApi, type PublishedContract } from '../../contracts/published.js'
import { documentFromSnapshot, published, referencePath } from '../helpers/published.js'
import { assertBadArguments, capture } from '../helpers/cli-io.js'

const committed = readFileSync(new URL('../../contracts/published.json', import.meta.url), 'utf8')
const PJ = 'application/problem+json'

function tmp (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'konnect-drift-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A copy of the published contract, changed by `edit`, written as an OpenAPI document. */
function writeDocument (dir: string, name: string, edit: (copy: PublishedContract) => void = () => {}): string {
  const copy = structuredClone(published)
  edit(copy)
  const path = join(dir, name)
  writeFileSync(path, name.endsWith('.json') ? JSON.stringify(documentFromSnapshot(copy)) : stringify(documentFromSnapshot(copy)))
  return path
}

t.test(referencePath === undefined
  ? 'the committed snapshot is what the snapshot script makes from a document saying the same (the published one is not next to the project)'
  : 'the committed snapshot is what the snapshot script makes from the published document', async (t) => {
  if (referencePath !== undefined) {
    t.equal(`${JSON.stringify(snapshotOpenApi(loadOpenApi(referencePath)), null, 2)}\n`, committed, `byte for byte from ${referencePath}`)
  } else {
    t.strictSame(snapshotOpenApi(documentFromSnapshot(published)), { ...published, schemas: {} }, 'statuses, media types, schemas and examples survive the round trip')
  }
  t.equal(JSON.stringify(published, null, 2) + '\n', committed, 'the module serves the committed file')
  t.same(Object.keys(published.responses), ['201', '400', '401', '403', '409', '429'])
  t.notMatch(committed, /"description"/, 'descriptions dropped')
  t.same(Object.keys(published.responses['409']!.content[PJ]!.examples['User is Already Active']!), ['status', 'title', 'instance', 'detail'], 'key order kept')
})

t.test('npm run contract:snapshot -- --spec <file>: the snapshot command, to stdout or a file', async (t) => {
  const dir = tmp(t)
  const spec = writeDocument(dir, 'doc.yaml')
  const printed = capture()
  t.equal(await main(['snapshot', '--spec', spec], printed.io), 0)
  t.strictSame(JSON.parse(printed.out.join('\n')), { ...published, schemas: {} })
  const written = capture()
  const out = join(dir, 'snapshot.json')
  t.equal(await main(['snapshot', '--spec', spec, '--out', out], written.io), 0)
  t.same(written.out, [`wrote ${out} (${published.source.title} ${published.source.version})`])
  t.equal(readFileSync(out, 'utf8'), `${printed.out.join('\n')}\n`)
  const unwritable = capture()
  t.equal(await main(['snapshot', '--spec', spec, '--out', join(dir, 'no', 'such', 'dir.json')], unwritable.io), 2)
  t.same(unwritable.err, [`konnect-invites-contract snapshot: cannot write: ENOENT: no such file or directory, open '${join(dir, 'no', 'such', 'dir.json')}'`])
})

t.test('drift: none against a document saying what the mock serves, YAML or JSON, whole or an excerpt', async (t) => {
  const dir = tmp(t)
  for (const name of ['same.yaml', 'same.json']) {
    const { out, err, io } = capture()
    const spec = writeDocument(dir, name)
    t.equal(await main(['drift', '--spec', spec], io), 0, name)
    t.same(err, [])
    t.same(out, [`no drift between ${spec} (${published.source.title} ${published.source.version}) and the mock; statuses compared: 201, 400, 401, 403, 409, 429`])
  }
  const excerpt = capture()
  const spec = writeDocument(dir, 'excerpt.yaml', (copy) => { delete copy.responses['401']; delete copy.responses['403'] })
  t.equal(await main(['drift', '--spec', spec], excerpt.io), 0, 'an excerpt without the 401 and 403 compares what it has')
  t.match(excerpt.out.at(-1), /statuses compared: 201, 400, 409, 429$/)
})

t.test('drift reports a changed example, a removed example, a new status and a schema change, exit 1', async (t) => {
  const dir = tmp(t)
  const cases: Array<[string, (copy: PublishedContract) => void, string[]]> = [
    ['changed-example.yaml', (copy) => {
      (copy.responses['400']!.content[PJ]!.examples['Cannot be Blank'] as any).invalid_parameters[0].reason = 'must not be blank'
    }, ['example "Cannot be Blank" (400 application/problem+json) changed at /invalid_parameters/0/reason: document "must not be blank", mock "cannot be blank"']],
    ['reordered-example.yaml', (copy) => {
      const { status, ...rest } = copy.responses['409']!.content[PJ]!.examples['User is Already Active'] as Record<string, any>
      copy.responses['409']!.content[PJ]!.examples['User is Already Active'] = { ...rest, status }
    }, ['example "User is Already Active" (409 application/problem+json) changed at /: document keys title, instance, detail, status, mock keys status, title, instance, detail']],
    ['removed-example.yaml', (copy) => { delete copy.responses['400']!.content[PJ]!.examples['Password Complexity'] },
      ['example "Password Complexity" (400 application/problem+json) removed from the document']],
    ['added-example.json', (copy) => { copy.responses['429']!.content[PJ]!.examples['Slow down'] = { status: 429 } },
      ['example "Slow down" (429 application/problem+json) added in the document']],
    ['new-status.yaml', (copy) => { copy.responses['404'] = { from: '#/paths/~1v3~1invites/post/responses/404', content: { [PJ]: { schema: { type: 'object' }, examples: {} } } } },
      ['status 404 added in the document']],
    ['removed-status.yaml', (copy) => { delete copy.responses['429'] }, ['status 429 removed from the document']],
    ['schema.yaml', (copy) => { (copy.responses['409']!.content[PJ]!.schema as any).allOf[0].properties.detail.type = 'integer' },
      ['schema 409 application/problem+json changed at /properties/detail/type: document "integer", mock "string"']],
    ['request.yaml', (copy) => { (copy.request['application/json']!.schema as any).required = [] },
      ['schema request application/json changed at /required: document (absent), mock ["email"]']],
    ['media-types.yaml', (copy) => {
      copy.responses['409']!.content['text/plain'] = { examples: {} }
      copy.responses['401']!.content = { 'application/json': copy.responses['401']!.content[PJ]! }
    }, ['media type 409 text/plain added in the document', 'media type 401 application/json added in the document', 'media type 401 application/problem+json removed from the document']]
  ]
  for (const [name, edit, expected] of cases) {
    const spec = writeDocument(dir, name, edit)
    const { out, err, io } = capture()
    t.equal(await main(['drift', '--spec', spec], io), 1, name)
    t.same(err, [])
    t.same(out.slice(0, -1).sort(), [...expected].sort(), `${name}: each difference`)
    t.match(out.at(-1), new RegExp(`^${expected.length} differences? between ${spec.replace(/[.]/g, '\\.')} `))
  }
  const json = capture()
  const spec = writeDocument(dir, 'status.yaml', (copy) => { delete copy.responses['429'] })
  t.equal(await main(['drift', '--spec', spec, '--json'], json.io), 1)
  t.same(JSON.parse(json.out.join('\n')), { spec, source: published.source, differences: [{ kind: 'status', change: 'removed', where: '429' }] })
})

t.test('drift and snapshot: exit 2 with one line for bad arguments and unreadable documents', async (t) => {
  const dir = tmp(t)
  writeFileSync(join(dir, 'broken.yaml'), 'openapi: "3.0.2"\npaths: [unclosed\n')
  writeFileSync(join(dir, 'other.yaml'), stringify({ openapi: '3.0.2', info: { title: 'x', version: '1' }, paths: { '/v3/teams': { post: {} } } }))
  writeFileSync(join(dir, 'dangling.json'), JSON.stringify({ openapi: '3.0.2', paths: { '/v3/invites': { post: { responses: { 400: { $ref: '#/components/responses/Nope' } } } } } }))
  writeFileSync(join(dir, 'not-openapi.json'), '[1, 2]')
  await assertBadArguments(t, [
    [['drift'], /^konnect-invites-contract drift: --spec <openapi file> is required \(see --help\)$/],
    [['drift', '--spec'], /^konnect-invites-contract drift: Option '--spec <value>' argument missing \(see --help\)$/],
    [['drift', '--spec', 'x', '--out', 'y'], /^konnect-invites-contract drift: --out only applies to snapshot \(see --help\)$/],
    [['snapshot', '--spec', 'x', '--json'], /^konnect-invites-contract snapshot: --json only applies to drift/],
    [['drift', '--spec', join(dir, 'absent.yaml')], /^konnect-invites-contract drift: ENOENT: no such file or directory, open '.*absent\.yaml'$/],
    [['drift', '--spec', join(dir, 'broken.yaml')], /^konnect-invites-contract drift: .*broken\.yaml: .+/],
    [['drift', '--spec', join(dir, 'other.yaml')], /^konnect-invites-contract drift: .*other\.yaml: the document has no POST \/v3\/invites$/],
    [['snapshot', '--spec', join(dir, 'dangling.json')], /^konnect-invites-contract snapshot: .*dangling\.json: unresolved reference #\/components\/responses\/Nope/],
    [['drift', '--spec', join(dir, 'not-openapi.json')], /^konnect-invites-contract drift: .*not-openapi\.json is not an OpenAPI document$/]
  ])
})

t.test('snapshotOpenApi reads what a document may leave out', async (t) => {
  const bare = snapshotOpenApi({ openapi: '3.0.2', paths: { '/v3/invites': { post: {} } } })
  t.same(bare, { source: { title: '', version: '' }, operation: 'POST /v3/invites', request: {}, responses: {}, schemas: {} })
  t.same(snapshotOpenApi({ openapi: '3.0.2', paths: { '/v3/invites': { post: { requestBody: 'x' } } }, components: { responses: { IdentityUnauthenticated: 'x' } } }),
    { source: { title: '', version: '' }, operation: 'POST /v3/invites', request: {}, responses: { 401: { from: '#/components/responses/IdentityUnauthenticated', content: {} } }, schemas: {} })
  t.throws(() => snapshotOpenApi({ openapi: '3.0.2' }), /no POST \/v3\/invites/)
  t.throws(() => snapshotOpenApi({ openapi: '3.0.2', paths: { '/v3/invites': 'nope' } }), /no POST \/v3\/invites/)
  const odd = snapshotOpenApi({
    openapi: '3.0.2',
    paths: {
      '/v3/invites': {
        post: {
          requestBody: { $ref: '#/components/requestBodies/Invite' },
          responses: {
            '4~/x': { content: { [PJ]: { schema: { $ref: '#/components/schemas/E' }, examples: { bare: { summary: 'no value' } } } } },
            500: { content: { 'text/html': 'not an object' } },
            502: 'not an object'
          }
        }
      }
    },
    components: {
      requestBodies: { Invite: { content: { 'application/json': { schema: { type: 'object', description: 'gone', properties: { description: { type: 'string', enum: [{ description: 'kept' }] } } } } } } },
      schemas: { E: { allOf: [{ $ref: '#/components/schemas/B' }, { $ref: '#/components/schemas/B' }] }, B: { type: 'object', title: 'gone' } }
    }
  })
  t.same(odd.request, { 'application/json': { schema: { type: 'object', properties: { description: { type: 'string', enum: [{ description: 'kept' }] } } }, examples: {} } },
    'prose dropped, a property named "description" and enum values kept')
  t.same(Object.keys(odd.responses), ['500', '502', '4~/x'])
  t.same(odd.responses['4~/x'], { from: '#/paths/~1v3~1invites/post/responses/4~0~1x', content: { [PJ]: { schema: { allOf: [{ type: 'object' }, { type: 'object' }] }, examples: { bare: null } } } })
  t.same(odd.responses['500']!.content, { 'text/html': { examples: {} } })
  t.same(odd.responses['502']!.content, {})
  t.same(odd.schemas, { B: { type: 'object' }, E: { allOf: [{ type: 'object' }, { type: 'object' }] } })
})

t.test('mockContract is what the drift compares with; formatDifference names each kind', async (t) => {
  const mock = mockContract()
  t.same(Object.keys(mock.responses), ['201', '400', '401', '403', '409', '429'])
  t.same(contractDrift({ request: mock.request, responses: mock.responses }), [], 'the mock matches itself')
  const textOnly = { 'text/plain': { examples: {} } }
  t.same(contractDrift({ request: textOnly, responses: {} }, { operation: 'POST /v3/invites', request: textOnly, responses: {} }), [], 'media types without schemas compare equal')
  t.equal(formatDifference({ kind: 'status', change: 'added', where: '418' }), 'status 418 added in the document')
})
