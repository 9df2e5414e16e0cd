import net from 'node:net'

/**
 * Caps the device connections open at once from one address (MAX_CONNECTIONS_PER_ADDRESS), across
 * every protocol's listener, so one host cannot hold the sockets a fleet needs. Exempt addresses
 * (loopback by default: the simulator and the tests run thousands of devices from it) are not counted.
 */
export class ConnectionsPerAddress {
  readonly #open = new Map<string, number>()
  readonly #exempt = new net.BlockList()

  /** `exempt`: addresses (`::1`) and subnets (`127.0.0.0/8`). */
  constructor(
    private readonly max: number,
    exempt: readonly string[],
  ) {
    for (const entry of exempt) {
      const [address, prefix] = entry.split('/') as [string, string | undefined]
      const type = net.isIP(address) === 6 ? 'ipv6' : 'ipv4'
      if (prefix === undefined) this.#exempt.addAddress(address, type)
      else this.#exempt.addSubnet(address, Number(prefix), type)
    }
  }

  /** Counts a new connection from `address`: the function that releases it, or undefined when the address is at its cap. */
  open(remoteAddress: string | undefined): (() => void) | undefined {
    const address = plainAddress(remoteAddress ?? '')
    if (this.#isExempt(address)) return () => {}
    const count = this.#open.get(address) ?? 0
    if (count >= this.max) return undefined
    this.#open.set(address, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#open.get(address) ?? 1) - 1
      if (left > 0) this.#open.set(address, left)
      else this.#open.delete(address)
    }
  }

  #isExempt(address: string): boolean {
    const type = net.isIP(address)
    if (type === 0) return false
    return this.#exempt.check(address, type === 6 ? 'ipv6' : 'ipv4')
  }
}

/** An IPv4 client of a dual-stack listener shows as `::ffff:1.2.3.4`; it is the same host as `1.2.3.4`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address
}

/** Whether `entry` is an address or a subnet (`address/prefix`) ConnectionsPerAddress understands. */
export function isAddressOrSubnet(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/')
  const type = net.isIP(address ?? '')
  if (type === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d+$/.test(prefix) && bits <= (type === 6 ? 128 : 32)
}
