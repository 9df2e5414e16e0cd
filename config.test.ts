import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('configuration from the environment', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ DATA_DIR: './data', HTTP_PORT: 8080, TELTONIKA_PORT: 5027, GT06_PORT: 5023, QUECLINK_PORT: 5004, OSMAND_PORT: 5055 })
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.BUFFERED_LAG).toBe(300_000)
  })

  it('accepts port 0 (pick a free port) and an empty tile URL (no tile layer)', () => {
    const config = loadConfig({ HTTP_PORT: '0', TELTONIKA_PORT: '0', MAP_TILE_URL: '' })
    expect(config.HTTP_PORT).toBe(0)
    expect(config.MAP_TILE_URL).toBe('')
  })

  it('bounds device time and connections by default, loopback exempt from the per-address cap', () => {
    expect(loadConfig({})).toMatchObject({
      MAX_FUTURE_FIX: 86_400_000, FUTURE_FIX_SKEW: 600_000, DEVICE_IDENTIFY_TIMEOUT: 30_000,
      MAX_CONNECTIONS_PER_ADDRESS: 100, CONNECTION_CAP_EXEMPT: ['127.0.0.0/8', '::1'],
    })
    expect(loadConfig({ CONNECTION_CAP_EXEMPT: 'none' }).CONNECTION_CAP_EXEMPT).toEqual([])
    expect(loadConfig({ CONNECTION_CAP_EXEMPT: '10.0.0.0/8, 192.0.2.7' }).CONNECTION_CAP_EXEMPT).toEqual(['10.0.0.0/8', '192.0.2.7'])
    expect(() => loadConfig({ CONNECTION_CAP_EXEMPT: 'localhost' })).toThrowError(/CONNECTION_CAP_EXEMPT/)
  })

  it('names every bad variable in one error', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrowError(ConfigError)
    try {
      loadConfig({ HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' })
    } catch (err) {
      expect((err as Error).message).toMatch(/HTTP_PORT/)
      expect((err as Error).message).toMatch(/LOG_LEVEL/)
    }
  })

  it('leaves email and SMS off unless their URLs are set, and checks each URL\'s scheme', () => {
    const defaults = loadConfig({})
    expect(defaults.SMTP_URL).toBeUndefined()
    expect(defaults.SMS_WEBHOOK_URL).toBeUndefined()
    expect(defaults.SMTP_FROM).toBe('Fleetwire <alerts@fleetwire.local>')
    expect(loadConfig({ SMTP_URL: 'smtp://user:pass@mail.example.com:587', SMS_WEBHOOK_URL: 'https://sms.example.com/send' })).toMatchObject({
      SMTP_URL: 'smtp://user:pass@mail.example.com:587',
      SMS_WEBHOOK_URL: 'https://sms.example.com/send',
    })
    expect(() => loadConfig({ SMTP_URL: 'https://mail.example.com' })).toThrowError(/SMTP_URL: must start with smtp/)
    expect(() => loadConfig({ SMS_WEBHOOK_URL: 'ftp://sms.example.com' })).toThrowError(/SMS_WEBHOOK_URL/)
  })

  it('defaults the processor settings (no update after a day, idle after two minutes, no virtual ignition, harsh thresholds in g) and checks them', () => {
    expect(loadConfig({})).toMatchObject({
      NO_UPDATE_AFTER: 86_400_000,
      IDLE_AFTER: 120_000,
      VIRTUAL_IGNITION: 'none',
      VIRTUAL_IGNITION_VOLTAGE: 13.2,
      HARSH_BRAKING_G: 0.45,
      HARSH_ACCELERATION_G: 0.35,
      HARSH_CORNERING_G: 0.4,
      POWER_RESET_WINDOW: 120_000,
    })
    expect(loadConfig({ VIRTUAL_IGNITION: 'voltage', VIRTUAL_IGNITION_VOLTAGE: '27.5', HARSH_BRAKING_G: '0.6' })).toMatchObject({
      VIRTUAL_IGNITION: 'voltage',
      VIRTUAL_IGNITION_VOLTAGE: 27.5,
      HARSH_BRAKING_G: 0.6,
    })
    expect(() => loadConfig({ VIRTUAL_IGNITION: 'engine', NO_UPDATE_AFTER: '-1' })).toThrowError(/VIRTUAL_IGNITION[\s\S]*NO_UPDATE_AFTER|NO_UPDATE_AFTER[\s\S]*VIRTUAL_IGNITION/)
  })

  it('reads durations as an administrator writes them (90s, 5m, 24h, 1d, 300000ms) and bare numbers as milliseconds', () => {
    expect(loadConfig({ NO_UPDATE_AFTER: '24h', IDLE_AFTER: '90s', BUFFERED_LAG: '5m', POWER_RESET_WINDOW: '300000ms', DEVICE_IDLE_TIMEOUT: '1d' })).toMatchObject({
      NO_UPDATE_AFTER: 86_400_000,
      IDLE_AFTER: 90_000,
      BUFFERED_LAG: 300_000,
      POWER_RESET_WINDOW: 300_000,
      DEVICE_IDLE_TIMEOUT: 86_400_000,
    })
    expect(loadConfig({ NO_UPDATE_AFTER: '3600000', IDLE_AFTER: ' 1.5m ' })).toMatchObject({ NO_UPDATE_AFTER: 3_600_000, IDLE_AFTER: 90_000 })
  })

  it('rejects a duration it cannot read, showing the forms it accepts', () => {
    for (const value of ['24 hours', 'h', '-5m', '0', '1.5ms', 'NaN', '10w']) {
      expect(() => loadConfig({ NO_UPDATE_AFTER: value }), value).toThrowError(
        /NO_UPDATE_AFTER: a duration like 90s, 5m, 24h, 1d or milliseconds \(got "/,
      )
    }
  })

  it('never prints a credential from a rejected variable', () => {
    expect(() => loadConfig({ SMTP_URL: 'ftp://user:s3cret@mail', ADMIN_PASSWORD: 'short' })).toThrowError(ConfigError)
    try {
      loadConfig({ SMTP_URL: 'ftp://user:s3cret@mail', ADMIN_PASSWORD: 'short' })
    } catch (err) {
      expect((err as Error).message).toMatch(/SMTP_URL[^\n]*ftp:\/\/\*\*\*@mail/)
      expect((err as Error).message).toMatch(/ADMIN_PASSWORD/)
      expect((err as Error).message).not.toMatch(/s3cret|short/)
    }
  })
  it('holds ADMIN_PASSWORD to the password policy, naming the problem', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'password123' })).toThrowError(/ADMIN_PASSWORD: this password is one of the most common/)
    expect(() => loadConfig({ ADMIN_PASSWORD: 'nine-char' })).toThrowError(/ADMIN_PASSWORD: a password has at least 10 characters/)
    expect(loadConfig({ ADMIN_PASSWORD: 'test-password-1' }).ADMIN_PASSWORD).toBe('test-password-1')
  })

  it('reads PUBLIC_URL as an origin and TRUST_PROXY as a yes or no', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false)
    expect(loadConfig({ PUBLIC_URL: 'https://fleet.example.com', TRUST_PROXY: 'true' })).toMatchObject({ PUBLIC_URL: 'https://fleet.example.com', TRUST_PROXY: true })
    expect(() => loadConfig({ PUBLIC_URL: 'https://fleet.example.com/dashboard' })).toThrowError(/PUBLIC_URL/)
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrowError(/TRUST_PROXY/)
  })
})
