import type { Core } from "../core";
import type {
  ClientRecord,
  EmailAddressRecord,
  PhoneNumberRecord,
  UserRecord,
} from "../store/records";

// Device Trust (formerly Client Trust): Clerk recognises a device by its client (in a development
// instance, the dev browser), and a device is known to a user once they have had a session on it
// (signed in or up there, whatever became of that session). A password sign-in from a device that
// is new to the user needs a code sent to their address first (domain/sign-ins.ts).
export function isKnownDevice(core: Core, client: ClientRecord, userId: string): boolean {
  return core.store.lookup("sessions", "user", userId).some((s) => s.clientId === client.id);
}

// Where a new device's code goes: the user's primary address, else their primary number (verified,
// as primaries are). A user with neither (a username and a password only) has nowhere to receive
// one, and signs in without it.
export function deviceTrustContact(
  user: UserRecord,
): { email: EmailAddressRecord } | { phone: PhoneNumberRecord } | null {
  const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
  if (email) return { email };
  const phone = user.phoneNumbers.find((p) => p.id === user.primaryPhoneNumberId && p.verified);
  return phone ? { phone } : null;
}
