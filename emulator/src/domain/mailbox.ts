import type { Core } from "../core";
import { newId } from "../store/ids";

export type OutgoingEmail = { to: string; subject: string; code?: string; link?: string };

// "Sends" an email or a text message: there is no mail server nor SMS gateway, so it lands in the
// mailbox (the inspect page and GET /__emulator/mailbox) and in the log, where a developer reads
// their codes and links.
export function deliverEmail(core: Core, email: OutgoingEmail, channel: "email" | "sms" = "email") {
  core.store.state.mailbox.push({
    id: newId(channel === "sms" ? "sms" : "email"),
    channel,
    to: email.to,
    subject: email.subject,
    code: email.code ?? null,
    link: email.link ?? null,
    createdAt: core.now(),
  });
  const kind = channel === "sms" ? "text message" : "email";
  core.log(
    `emulator: ${kind} to ${email.to}: ${email.subject}${email.link ? ` ${email.link}` : ""}`,
  );
}
