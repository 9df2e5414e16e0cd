import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createDatabase } from './client.ts'
import { startEmbeddedDatabase } from './embedded.ts'

const mode = (file: string) => fs.statSync(file).mode & 0o777

describe('the embedded database socket', () => {
  it('takes over a stale socket file left by a killed process, and refuses a second database on a DATA_DIR still served', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-embedded-'))
    try {
      // What kill -9 leaves behind: the socket path taken, nobody listening.
      fs.mkdirSync(path.join(dataDir, 'socket'), { mode: 0o700 })
      fs.writeFileSync(path.join(dataDir, 'socket', '.s.PGSQL.5432'), '')
      const embedded = await startEmbeddedDatabase(dataDir)
      try {
        expect(fs.statSync(embedded.socketPath).isSocket()).toBe(true)
        await expect(startEmbeddedDatabase(dataDir)).rejects.toThrow(/is in use: is another Fleetwire running on this DATA_DIR/)
        const db = createDatabase(embedded.url, { embedded: true })
        expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
        await db.end()
      } finally {
        await embedded.stop()
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)

  it('serves from a private temporary directory when DATA_DIR is too deep for a Unix socket path, and removes it on stop', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-embedded-'))
    const dataDir = path.join(parent, 'a-data-directory-deep-enough'.repeat(4))
    try {
      const embedded = await startEmbeddedDatabase(dataDir)
      const socketDir = path.dirname(embedded.socketPath)
      try {
        expect(Buffer.byteLength(path.join(dataDir, 'socket', '.s.PGSQL.5432'))).toBeGreaterThan(107)
        expect(socketDir.startsWith(os.tmpdir())).toBe(true)
        expect(mode(socketDir)).toBe(0o700)
        expect(mode(dataDir)).toBe(0o700)
        const db = createDatabase(embedded.url, { embedded: true })
        expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
        await db.end()
      } finally {
        await embedded.stop()
      }
      expect(fs.existsSync(socketDir)).toBe(false)
    } finally {
      fs.rmSync(parent, { recursive: true, force: true })
    }
  }, 120_000)
})
