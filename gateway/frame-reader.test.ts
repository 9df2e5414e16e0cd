import { describe, expect, it } from 'vitest'
import { FrameReader } from './frame-reader.ts'
import { teltonika } from './protocols/teltonika/index.ts'
import { encodeAvlPacket, encodeImeiHandshake } from './protocols/teltonika/encode.ts'

const handshake = encodeImeiHandshake('356307042441013')
const packet = encodeAvlPacket([{ timeMs: Date.parse('2026-03-01T10:00:00Z'), latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, io: { 239: 1 } }])
const hex = (frames: Buffer[]) => frames.map((frame) => frame.toString('hex'))

describe('the frame reader', () => {
  it('keeps an incomplete message until the read that completes it, and holds nothing after', () => {
    const reader = new FrameReader(teltonika.frame, 4096)
    const stream = Buffer.concat([handshake, packet])
    const cut = handshake.length + 5
    expect(hex(reader.read(stream.subarray(0, cut)).frames)).toEqual([handshake.toString('hex')])
    expect(reader.pendingBytes).toBe(5)
    expect(hex(reader.read(stream.subarray(cut)).frames)).toEqual([packet.toString('hex')])
    expect(reader.pendingBytes).toBe(0)
  })

  it('cuts reads pushed while busy in one take, as the transport does between messages', () => {
    const reader = new FrameReader(teltonika.frame, 4096)
    reader.push(handshake.subarray(0, 3))
    reader.push(handshake.subarray(3))
    reader.push(packet)
    expect(hex(reader.take().frames)).toEqual([handshake.toString('hex'), packet.toString('hex')])
  })

  it('reports bytes that cannot start a message, and keeps them', () => {
    const reader = new FrameReader(teltonika.frame, 4096)
    const framed = reader.read(Buffer.from('00000000ffffffff', 'hex'))
    expect(framed.error?.code).toBe('FRAME_TOO_LONG')
    expect(reader.pendingBytes).toBe(8)
  })
})
