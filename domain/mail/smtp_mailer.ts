/** The SMTP mailer, on nodemailer. */
// @ts-types="@types/nodemailer"
import nodemailer from "nodemailer";
import type { Mailer } from "./mailer.ts";

/** SMTP settings. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

/** Creates a mailer that sends through the SMTP server in `settings`. */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // Plain connections to a local relay are allowed; STARTTLS is used whenever the server offers it.
    tls: { rejectUnauthorized: settings.host !== "127.0.0.1" && settings.host !== "localhost" },
  });
  return {
    kind: "smtp",
    async send(message) {
      await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    async check() {
      try {
        await transport.verify();
        return { ok: true, detail: `smtp ${settings.host}:${settings.port} reachable` };
      } catch (e) {
        return { ok: false, detail: `smtp ${settings.host}:${settings.port}: ${(e as Error).message}` };
      }
    },
  };
}
