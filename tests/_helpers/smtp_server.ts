/** A real SMTP server on 127.0.0.1 (npm:smtp-server) that keeps every received message, for mail tests. */
// @ts-types="@types/smtp-server"
import { SMTPServer } from "smtp-server";

/** One message as received over SMTP. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A running local SMTP server. */
export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** Resolves with the next message delivered from now on (or the first one already waiting). */
  nextMail(timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Starts a plain (no TLS, no auth) SMTP server on an ephemeral port of 127.0.0.1. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const waiting: ((m: ReceivedMail) => void)[] = [];
  let consumed = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: new TextDecoder().decode(concat(chunks)),
        };
        received.push(mail);
        const resolve = waiting.shift();
        if (resolve) {
          consumed++;
          resolve(mail);
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("SMTP server has no TCP address");
  return {
    port: address.port,
    received,
    nextMail(timeoutMs = 10_000) {
      if (consumed < received.length) return Promise.resolve(received[consumed++]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no mail received in time")), timeoutMs);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Pulls the 6-digit sign-in code out of a raw received message (headers and body). */
export function otpFromRawMail(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, "").replace(/\r?\n[ \t]+/g, " ");
  const code = unfolded.match(/sign-in code is (\d{6})\b/)?.[1] ??
    unfolded.match(/sign-in code: (\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in mail:\n${raw}`);
  return code;
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
