import assert from "node:assert/strict";
import { createSmtpMailer } from "../../../domain/mail/smtp_mailer.ts";
import { closedPort, startSmtpServer } from "../../_helpers/smtp_server.ts";

const FROM = "Quantedge <no-reply@example.com>";

Deno.test("createSmtpMailer().check() is ok against a reachable SMTP server", async () => {
  const smtp = await startSmtpServer();
  try {
    const mailer = createSmtpMailer({ host: "127.0.0.1", port: smtp.port, secure: false, from: FROM });
    assert.equal(mailer.kind, "smtp");
    const result = await mailer.check();
    assert.equal(result.ok, true, result.detail);
    assert.match(result.detail, new RegExp(`127\\.0\\.0\\.1:${smtp.port}`));
  } finally {
    await smtp.close();
  }
});

Deno.test("createSmtpMailer().check() is not ok when nothing listens on the port", async () => {
  const port = closedPort();
  const mailer = createSmtpMailer({ host: "127.0.0.1", port, secure: false, from: FROM });
  const result = await mailer.check();
  assert.equal(result.ok, false);
  assert.match(result.detail, new RegExp(`smtp 127\\.0\\.0\\.1:${port}: `));
});

Deno.test("createSmtpMailer().send() delivers a plain-text message to the SMTP server", async () => {
  const smtp = await startSmtpServer();
  try {
    const mailer = createSmtpMailer({ host: "127.0.0.1", port: smtp.port, secure: false, from: FROM });
    await mailer.send({ to: "bob@example.com", subject: "Hello", text: "line one\nline two\n" });
    const mail = await smtp.nextMail();
    assert.equal(mail.from, "no-reply@example.com");
    assert.deepEqual(mail.to, ["bob@example.com"]);
    assert.match(mail.raw, /^Subject: Hello\r?$/m);
    assert.match(mail.raw, /line one\r?\nline two/);
  } finally {
    await smtp.close();
  }
});
