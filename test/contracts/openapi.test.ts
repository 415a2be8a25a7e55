import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { diffJson, loadOpenApi, normalizeSchema, pointer, resolveRefs, type Json } from '../../contracts/openapi.js'

t.test('loadOpenApi reads YAML and JSON documents and refuses anything else', async (t) => {
  const dir = t.testdir({
    'doc.yaml': 'openapi: 3.0.2\ninfo: { title: x, version: "1" }\n',
    'doc.json': '{"openapi":"3.1.0"}',
    'list.yaml': '- openapi\n',
    'swagger.yaml': 'swagger: "2.0"\n'
  })
  t.equal(loadOpenApi(join(dir, 'doc.yaml')).openapi, '3.0.2')
  t.equal(loadOpenApi(join(dir, 'doc.json')).openapi, '3.1.0')
  t.throws(() => loadOpenApi(join(dir, 'list.yaml')), { message: `${join(dir, 'list.yaml')} is not an OpenAPI document` })
  t.throws(() => loadOpenApi(join(dir, 'swagger.yaml')), { message: /is not an OpenAPI document$/ })
  writeFileSync(join(dir, 'bad.yaml'), 'a: [')
  t.throws(() => loadOpenApi(join(dir, 'bad.yaml')))
})

t.test('pointer follows local references through objects and arrays, with ~0 and ~1 escapes', async (t) => {
  const document: Json = { paths: { '/v3/invites': { tags: ['Invites'] } }, 'a~b': 1 }
  t.equal(pointer(document, '#/paths/~1v3~1invites/tags/0'), 'Invites')
  t.equal(pointer(document, '#/a~0b'), 1)
  t.same(pointer(document, '#'), document)
  t.throws(() => pointer(document, 'other.yaml#/x'), { message: 'only local references are supported: other.yaml#/x' })
  t.throws(() => pointer(document, '#/paths/missing'), { message: 'unresolved reference #/paths/missing (no "missing")' })
  t.throws(() => pointer(document, '#/a~0b/deeper'), { message: 'unresolved reference #/a~0b/deeper (no "deeper")' })
})

t.test('resolveRefs replaces every $ref, in objects and arrays', async (t) => {
  const document: Json = { defs: { A: { type: 'string' }, B: { items: [{ $ref: '#/defs/A' }] } } }
  t.same(resolveRefs(document, { x: { $ref: '#/defs/B' } }), { x: { items: [{ type: 'string' }] } })
})

t.test('normalizeSchema: prose dropped, allOf merged, nullable and oneOf as anyOf, const as enum', async (t) => {
  t.same(normalizeSchema({ type: 'string', description: 'd', example: 'e', readOnly: true, title: 't', nullable: false }), { type: 'string' })
  t.same(normalizeSchema({ type: 'string', enum: ['a'], nullable: true }), { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'null' }] })
  t.same(normalizeSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }], nullable: true }), { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] })
  t.same(normalizeSchema({ anyOf: [{ const: 'a' }, { const: 'b' }, { const: 1 }, { const: 1.5 }, { const: null }, { const: true }, { const: [] }, { const: {} }] }), {
    anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'integer', enum: [1] }, { type: 'number', enum: [1.5] }, { type: 'null', enum: [null] },
      { type: 'boolean', enum: [true] }, { type: 'array', enum: [[]] }, { type: 'object', enum: [{}] }]
  })
  t.same(normalizeSchema({ type: 'object', required: [], properties: { description: { type: 'string', description: 'a property named description' } } }),
    { type: 'object', properties: { description: { type: 'string' } } })
  t.same(normalizeSchema({
    allOf: [
      { type: 'object', required: ['b', 'a'], properties: { a: { type: 'integer' }, b: { type: 'string' } } },
      { type: 'object', required: ['a', 'c'], properties: { a: { example: 1 }, c: true } }
    ],
    description: 'merged'
  }), { type: 'object', required: ['a', 'b', 'c'], properties: { a: { type: 'integer' }, b: { type: 'string' }, c: true } })
  t.same(normalizeSchema({ type: 'object', anyOf: [{ required: ['a'] }, { required: ['b'] }] }), { type: 'object', anyOf: [{ required: ['a'] }, { required: ['b'] }] })
  t.same(normalizeSchema({ type: 'object', anyOf: [{ required: ['a'] }] }), { type: 'object', anyOf: [{ required: ['a'] }] })
  t.same(normalizeSchema({ anyOf: [{ type: 'object', anyOf: [{ required: ['a'] }] }, { type: 'null' }] }),
    { anyOf: [{ type: 'object', anyOf: [{ required: ['a'] }] }, { type: 'null' }] }, 'a union with siblings is not flattened into its parent')
  t.same(normalizeSchema(JSON.parse(JSON.stringify(Type.Union([Type.Literal('x'), Type.Literal('y'), Type.Null()], { $id: 'U' })))),
    { anyOf: [{ type: 'string', enum: ['x', 'y'] }, { type: 'null' }] }, 'TypeBox literal unions read as a nullable enum')
})

t.test('diffJson names every differing path; keyOrder also compares key order', async (t) => {
  t.same(diffJson({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3], b: { c: 'x', d: null } }), [
    { path: '/a/1', expected: '2', got: '3' },
    { path: '/b/d', expected: '(absent)', got: 'null' }
  ])
  t.same(diffJson({ 'a/b~c': 1 }, { 'a/b~c': 2 }), [{ path: '/a~1b~0c', expected: '1', got: '2' }])
  t.same(diffJson([1], { 0: 1 }), [{ path: '/', expected: '[1]', got: '{"0":1}' }])
  t.same(diffJson(1, 1), [])
  t.same(diffJson({ a: 1, b: 2 }, { b: 2, a: 1 }), [], 'key order is ignored by default')
  t.same(diffJson({ a: 1, b: 2 }, { b: 2, a: 1 }, { keyOrder: true }), [{ path: '/', expected: 'keys a, b', got: 'keys b, a' }])
  t.same(diffJson({ x: { a: 1, b: 2 } }, { x: { b: 2, a: 1 } }, { keyOrder: true }), [{ path: '/x', expected: 'keys a, b', got: 'keys b, a' }])
  t.same(diffJson([1, 2], [1, 2], { keyOrder: true }), [])
})
