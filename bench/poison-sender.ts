/**
 * The poisoning benchmark's flood, in its own process so that sending it does not slow the good
 * device's client. Started with fork(), it says `'ready'`; told `{ start: FloodOptions }` over IPC it
 * floods until told `{ stop: true }`, then answers with what it sent (`FloodCounts`). `{ exit: true }` ends it.
 */
import { startPoisonFlood, type FloodOptions, type PoisonFlood } from '../test/helpers/poison-flood.ts'

export type SenderMessage = { start: FloodOptions } | { stop: true } | { exit: true }

let flood: PoisonFlood | undefined
process.on('message', (message: SenderMessage) => {
  if ('start' in message) flood = startPoisonFlood(message.start)
  else if ('stop' in message) void flood?.stop().then((counts) => process.send!(counts))
  else process.exit(0)
})
process.send!('ready')
