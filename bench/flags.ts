/**
 * The Node flags of `npm start` (`node <flags> dist/server/server.js`), so the benchmark runs both
 * servers the way the mock is started for real; the ceiling gets the same flags, which keeps the
 * ratio fair.
 * @example startFlags({ scripts: { start: 'node --max-semi-space-size=4 dist/server/server.js' } }) // ['--max-semi-space-size=4']
 */
export function startFlags (packageJson: { scripts?: Record<string, string> }): string[] {
  const words = (packageJson.scripts?.start ?? '').trim().split(/\s+/)
  if (words[0] !== 'node') return []
  const entry = words.findIndex((word, i) => i > 0 && !word.startsWith('-'))
  return words.slice(1, entry < 0 ? words.length : entry)
}
