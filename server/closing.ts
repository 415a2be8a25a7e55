/**
 * Answers that end their connection once the app is closing, so a keep-alive client does not send
 * its next request on a socket that is about to go away (and see it reset).
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http'

type WriteHeadArgs = [statusCode: number, statusMessage?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]]

/**
 * A ServerResponse class of one server's own, and the switch that makes every answer it writes
 * from then on say `Connection: close`, answers already in flight (a delay) included. Before the
 * switch the class adds nothing to a request; after it, only this server's answers change.
 * @example
 * const closing = closingResponses()
 * const server = createServer({ ServerResponse: closing.ServerResponse }, handler)
 * closing.start() // then server.close()
 */
export function closingResponses (): { ServerResponse: typeof ServerResponse, start: () => void } {
  class ClosingResponse extends ServerResponse<IncomingMessage> {}
  return {
    // Node constructs it as it does ServerResponse; the cast only restores the generic signature.
    ServerResponse: ClosingResponse as typeof ServerResponse,
    start: () => {
      // Node decides between keep-alive and close when the head is written; every answer, whether
      // sent with writeHead or with a bare end(), writes its head through writeHead.
      ClosingResponse.prototype.writeHead = function writeHead (this: ClosingResponse, ...args: WriteHeadArgs) {
        this.shouldKeepAlive = false
        return (ServerResponse.prototype.writeHead as (...a: WriteHeadArgs) => ClosingResponse).apply(this, args)
      } as ClosingResponse['writeHead']
    }
  }
}
