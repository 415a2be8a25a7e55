import t from 'tap'
import { Type } from '@sinclair/typebox'
import { BadRequestError, InviteUserRequest } from '../../contracts/schemas.js'
import { checkContract, checkSchema, compile } from '../../contracts/validate.js'
import { isEmail } from '../../contracts/formats.js'

t.test('isEmail accepts addresses and rejects the rest', async (t) => {
  for (const good of ['james.c.woods@example.com', 'a+b@sub.example.co', "o'neil@example.org", 'X@EXAMPLE.COM']) t.ok(isEmail(good), good)
  for (const bad of ['', 'plain', '@example.com', 'a@', 'a@b', 'a@@b.co', 'a b@example.com', 'a@-x.com', `${'a'.repeat(250)}@b.co`]) {
    t.notOk(isEmail(bad), bad)
  }
})

t.test('compile caches one checker per schema, with the email format registered', async (t) => {
  t.equal(compile(InviteUserRequest), compile(InviteUserRequest))
  t.ok(compile(InviteUserRequest).Check({ email: 'a@b.co' }))
  t.notOk(compile(InviteUserRequest).Check({ email: 'not-an-email' }))
})

t.test('checkSchema lists every violation with its JSON path, once', async (t) => {
  t.same(checkSchema(InviteUserRequest, { email: 'a@b.co' }), [])
  const violations = checkSchema(Type.Object({ a: Type.String(), b: Type.Integer() }), { a: 1, b: 'x' })
  t.same(violations.map((v) => v.path).sort(), ['/a', '/b'])
  t.ok(violations.every((v) => typeof v.message === 'string' && v.message.length > 0))
  const twice = Type.Object({ a: Type.String() })
  const repeated = checkSchema(Type.Intersect([twice, twice]), { a: 1 })
  t.same(repeated.filter((v) => v.path === '/a'), [{ path: '/a', message: 'Expected string' }], 'a violation reported twice is listed once')
  const union = checkSchema(Type.Union([Type.String(), Type.Integer()]), null)
  t.ok(union.length >= 1)
  t.equal(union[0]!.path, '', 'the root is the empty path')
})

t.test('checkContract checks by contract name', async (t) => {
  t.same(checkContract('ConflictError', { status: 409, title: 'Conflict', instance: 'x', detail: 'y' }), [])
  const missing = checkContract('ConflictError', { status: 409 })
  t.same([...new Set(missing.map((v) => v.path))].sort(), ['/detail', '/instance', '/title'])
  t.ok(missing.some((v) => v.path === '/title' && v.message === 'Expected required property'))
  t.same([...new Set(checkContract('BadRequestError', { status: 400, title: 'x', instance: 'y', detail: '' }).map((v) => v.path))], ['/invalid_parameters'])
  t.equal(compile(BadRequestError), compile(BadRequestError))
})
