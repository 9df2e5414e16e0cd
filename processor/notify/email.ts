import nodemailer from 'nodemailer'
import type { NodemailerError } from 'nodemailer/lib/errors'
import { PermanentFailure } from './delivery-queue.ts'

export interface EmailMessage {
  to: string[]
  subject: string
  text: string
}

/** Sends through the SMTP server of `url` (`smtp://user:pass@host:587`, `smtps://...`); a 5xx rejection is permanent. */
export function smtpSender(url: string, from: string): (message: EmailMessage) => Promise<void> {
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }, { from })
  return async (message) => {
    try {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text })
    } catch (err) {
      if ((err as NodemailerError).permanent === true) throw new PermanentFailure(`SMTP server refused the message: ${(err as Error).message}`, { cause: err })
      throw err
    }
  }
}

/** Where an SMTP URL points, without its credentials (for logs). */
export function smtpEndpoint(url: string): string {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}`
}
