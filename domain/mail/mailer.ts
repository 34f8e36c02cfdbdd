/** Outgoing mail, behind one interface: SMTP in production, the log in development. */

/** A plain-text message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail and reports whether it can. */
export interface Mailer {
  /** `smtp` sends for real; `log` prints messages to the server log. */
  readonly kind: "smtp" | "log";
  send(message: MailMessage): Promise<void>;
  /** Checks the transport (SMTP handshake); never throws. */
  check(): Promise<{ ok: boolean; detail: string }>;
}

/** A mailer that prints each message to `log` (development without SMTP settings). */
export function createLogMailer(log: (line: string) => void = console.log): Mailer {
  return {
    kind: "log",
    send(message) {
      log(JSON.stringify({ level: "info", msg: "mail (not sent: no SMTP configured)", ...message }));
      return Promise.resolve();
    },
    check: () => Promise.resolve({ ok: true, detail: "development: mail is printed to the server log" }),
  };
}
