import type { Test } from 'tap'
import { request } from 'undici'

/** The three-step story the dashboard tests and screenshots follow: 429 twice, a 503, then the default. */
const STORY = { sequence: [{ id: 'rate-limited', times: 2 }, { id: 'service-unavailable', times: 1 }, { id: 'default' }] }

/**
 * Sets STORY as the mock's global scenario through the admin API, and checks it was taken.
 * @example await putStory(t, mock.url)
 */
export async function putStory (t: Test, mockUrl: string): Promise<void> {
  const put = await request(`${mockUrl}/__mock/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STORY) })
  t.equal(put.statusCode, 200, 'the sequence is set')
  await put.body.dump()
}
