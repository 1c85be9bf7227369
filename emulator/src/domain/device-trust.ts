import type { Core } from "../core";
import type { ClientRecord } from "../store/records";

// Device Trust (formerly Client Trust): Clerk recognises a device by its client (in a development
// instance, the dev browser), and a device is known to a user once they have had a session on it
// (signed in or up there, whatever became of that session). A password sign-in from a device that
// is new to the user needs a code sent to their address first (domain/sign-ins.ts).
export function isKnownDevice(core: Core, client: ClientRecord, userId: string): boolean {
  return core.store.lookup("sessions", "user", userId).some((s) => s.clientId === client.id);
}
