import type net from 'node:net'

/** Starts `server` listening and resolves with the port it bound (port 0 picks a free one). */
export async function listen(server: net.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return (server.address() as net.AddressInfo).port
}
