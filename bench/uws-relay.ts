/**
 * The live benchmark's baseline server, run in its own process as the system is: a bare uWebSockets.js
 * app where whatever arrives on `/publish` is published, unchanged, to every WebSocket on `/subscribe`.
 * Prints `{"port":N}` on stdout once listening; exits on SIGTERM.
 */
import uWS from '@trufflesuite/uws-js-unofficial'

const TOPIC = 'fleet'
const app = uWS.App()
app.ws('/subscribe', { open: (ws) => void ws.subscribe(TOPIC), maxBackpressure: 64 * 1024 * 1024 })
app.ws('/publish', { message: (_ws, message, isBinary) => void app.publish(TOPIC, message, isBinary), maxPayloadLength: 1024 * 1024 })
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    process.stderr.write('uws relay cannot listen\n')
    process.exit(1)
  }
  process.stdout.write(JSON.stringify({ port: uWS.us_socket_local_port(socket) }) + '\n')
})
process.once('SIGTERM', () => process.exit(0))
