/**
 * A strict reader of the XML the reports write: elements, attributes, text, the five predefined
 * entities and numeric references, one declaration. Anything else (an unclosed or crossed tag, a
 * bare `<` or `&`, a duplicate attribute, text outside the root) throws, so a test that reads a
 * report also proves it is well-formed.
 */
export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  text: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'' }
const NAME = /^[A-Za-z_][\w.-]*/

function decode (raw: string, at: number): string {
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(raw)) throw new Error(`bare < or & near offset ${at}`)
  return raw.replace(/&(#x[\da-fA-F]+|#\d+|\w+);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)))
    return ENTITIES[entity]!
  })
}

/**
 * Parses a document into its root element.
 * @example parseXml('<a b="1"><c/></a>').children[0].name // 'c'
 */
export function parseXml (text: string): XmlElement {
  let at = 0
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(text)
  if (declaration !== null) at = declaration[0].length
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  while (at < text.length) {
    const next = text.indexOf('<', at)
    const chunk = text.slice(at, next < 0 ? text.length : next)
    if (stack.length === 0) {
      if (chunk.trim() !== '') throw new Error(`text outside the root at ${at}`)
    } else {
      stack.at(-1)!.text += decode(chunk, at)
    }
    if (next < 0) break
    at = next
    if (text.startsWith('</', at)) {
      const name = NAME.exec(text.slice(at + 2))?.[0]
      const open = stack.pop()
      if (open === undefined || name !== open.name || text[at + 2 + name.length] !== '>') throw new Error(`unexpected closing tag at ${at}`)
      at += name.length + 3
      continue
    }
    const name = NAME.exec(text.slice(at + 1))?.[0]
    if (name === undefined) throw new Error(`bad tag at ${at}`)
    at += 1 + name.length
    const element: XmlElement = { name, attributes: {}, children: [], text: '' }
    for (;;) {
      const attribute = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(text.slice(at))
      if (attribute === null) break
      if (attribute[1]! in element.attributes) throw new Error(`duplicate attribute ${attribute[1]!} at ${at}`)
      element.attributes[attribute[1]!] = decode(attribute[2]!, at)
      at += attribute[0].length
    }
    const end = /^\s*(\/?)>/.exec(text.slice(at))
    if (end === null) throw new Error(`unterminated tag ${name} at ${at}`)
    at += end[0].length
    if (stack.length > 0) stack.at(-1)!.children.push(element)
    else if (root === undefined) root = element
    else throw new Error(`a second root at ${at}`)
    if (end[1] !== '/') stack.push(element)
  }
  if (stack.length > 0 || root === undefined) throw new Error('unclosed elements or no root')
  return root
}
