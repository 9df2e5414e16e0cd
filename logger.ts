import { pino, type Logger } from 'pino'

export type { Logger }

/** The one root logger of the process; parts take children bound to what they are about. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } })
}
