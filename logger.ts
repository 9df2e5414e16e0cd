import { pino, type Logger } from 'pino'

export type { Logger }

/** The one root logger of the process; parts take children bound to what they are about. */
export function createLogger(level: string): Logger {
  // Logs go to stderr: stdout carries only machine-readable lines (the ready line).
  return pino({ level, base: { pid: process.pid } }, pino.destination(2))
}
