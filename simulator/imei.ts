/** Simulated device identities: 15-digit IMEIs whose last digit is a valid Luhn check digit. */

export const DEFAULT_IMEI_BASE = '356307042440000'

/** The Luhn check digit for a string of digits. */
export function luhnCheckDigit(body: string): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

/**
 * The IMEI of device `index`: the first 14 digits of `base` plus `index`, then the Luhn check digit
 * (so `base` and `base + index` differ only in the check digit).
 */
export function deviceImei(base: string, index: number): string {
  if (!/^\d{15}$/.test(base)) throw new Error(`IMEI base must be 15 digits, got ${base}`)
  const body = (BigInt(base.slice(0, 14)) + BigInt(index)).toString().padStart(14, '0')
  if (body.length !== 14) throw new Error(`IMEI base ${base} + ${index} overflows 15 digits`)
  return body + luhnCheckDigit(body)
}
