import { luhnCheckDigit } from '../../simulator/imei.ts'

/** 15 digits ending in their Luhn check digit, as the simulator's IMEIs must be. */
export function isValidImei(imei: string): boolean {
  return /^\d{15}$/.test(imei) && luhnCheckDigit(imei.slice(0, 14)) === Number(imei[14])
}
