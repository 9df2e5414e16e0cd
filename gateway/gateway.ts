import type { Socket } from 'node:dgram'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { RecordWriter } from './record-writer.ts'
import type { DeviceAdmission } from './admission.ts'
import { ConnectionsPerAddress } from './address-limit.ts'
import type { QuarantineSink } from './quarantine.ts'
import type { Protocol } from '../core/record.ts'
import type { DeviceConnections } from './connections.ts'
import type { GatewayStats } from './stats.ts'
import type { PacketSink } from './packet-log.ts'
import { PROTOCOL_DESCRIPTORS, isHttpProtocol } from './protocols/registry.ts'
import { listenHttp, type HttpListener } from './transport/http.ts'
import { listenTcp, type TcpListener } from './transport/tcp.ts'
import { listenUdp } from './transport/udp.ts'

export interface GatewayDeps {
  writer: RecordWriter
  devices: DeviceAdmission
  /** Installers' view of the messages of devices someone watches. */
  packets?: PacketSink
  /** Where the records that can never be stored are kept for installers. */
  quarantine?: QuarantineSink
  stats: GatewayStats
  connections: DeviceConnections
}

export interface Gateway {
  ports: Partial<Record<Protocol, number>>
  close(): Promise<void>
}

const PORT_SETTING: Record<Protocol, keyof Config> = {
  teltonika: 'TELTONIKA_PORT',
  gt06: 'GT06_PORT',
  queclink: 'QUECLINK_PORT',
  osmand: 'OSMAND_PORT',
}

/** Opens every registered protocol's listeners. With port 0 the TCP port is picked and UDP binds the same number. */
export async function startGateway(config: Config, deps: GatewayDeps, log: Logger): Promise<Gateway> {
  const context = {
    ...deps,
    crc: config.CRC_MODE,
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
    idleTimeoutMs: config.DEVICE_IDLE_TIMEOUT,
    identifyTimeoutMs: config.DEVICE_IDENTIFY_TIMEOUT,
    maxFutureFixMs: config.MAX_FUTURE_FIX,
    connectionsPerAddress: new ConnectionsPerAddress(config.MAX_CONNECTIONS_PER_ADDRESS, config.CONNECTION_CAP_EXEMPT),
  }
  const tcpListeners: TcpListener[] = []
  const udpSockets: Socket[] = []
  const httpListeners: HttpListener[] = []
  const ports: Partial<Record<Protocol, number>> = {}
  for (const protocol of PROTOCOL_DESCRIPTORS) {
    let port = Number(config[PORT_SETTING[protocol.name]])
    const stats = deps.stats.for(protocol.name)
    if (isHttpProtocol(protocol)) {
      const listener = await listenHttp(protocol, config.HOST, port, context, log)
      port = listener.port
      stats.ports.http = port
      httpListeners.push(listener)
    } else if (protocol.transports.includes('tcp')) {
      const listener = await listenTcp(protocol, config.HOST, port, context, log)
      port = listener.port
      stats.ports.tcp = port
      tcpListeners.push(listener)
    }
    if (!isHttpProtocol(protocol) && protocol.transports.includes('udp')) {
      const socket = await listenUdp(protocol, config.HOST, port, context, log)
      stats.ports.udp = socket.address().port
      udpSockets.push(socket)
    }
    ports[protocol.name] = port
    log.info({ protocol: protocol.name, port, transports: protocol.transports }, 'gateway listening')
  }
  return {
    ports,
    async close() {
      await Promise.all([...tcpListeners, ...httpListeners].map((listener) => listener.close()))
      for (const socket of udpSockets) socket.close()
    },
  }
}
