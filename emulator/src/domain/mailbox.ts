import type { Core } from "../core";
import { newId } from "../store/ids";

export type OutgoingEmail = { to: string; subject: string; code?: string; link?: string };

// "Sends" an email: there is no mail server, so it lands in the mailbox (the inspect page and
// GET /__emulator/mailbox) and in the log, where a developer reads their codes and links.
export function deliverEmail(core: Core, email: OutgoingEmail): void {
  core.store.state.mailbox.push({
    id: newId("email"),
    to: email.to,
    subject: email.subject,
    code: email.code ?? null,
    link: email.link ?? null,
    createdAt: core.now(),
  });
  core.log(`emulator: email to ${email.to}: ${email.subject}${email.link ? ` ${email.link}` : ""}`);
}
