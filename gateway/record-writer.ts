import type { DeviceRecord } from '../core/record.ts'

/**
 * Where the gateway hands decoded records: `write` resolves only once they are durable, and only then
 * is the device acknowledged. The processor's group-commit ingest implements it today; a stream
 * publisher could tomorrow, without the gateway knowing.
 */
export interface RecordWriter {
  write(records: DeviceRecord[]): Promise<void>
}
