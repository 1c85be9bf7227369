import type { Core } from "../core";
import { newId } from "../store/ids";
import type { ClientRecord, SessionRecord } from "../store/records";

const IDLE_CLIENT_MS = 7 * 24 * 60 * 60 * 1000;

// Clients nobody has used for a week, with no live session, are forgotten (their browser simply
// gets a new dev browser), and so are sign-ins and sign-ups past their abandon time and OAuth
// flows past their expiry (emailed links, a week after theirs).
function forgetIdleClients(core: Core, now: number) {
  const { store } = core;
  for (const client of Object.values(store.state.clients)) {
    const idle = client.updatedAt <= now - IDLE_CLIENT_MS;
    if (idle && activeSessionsOf(core, client).length === 0) store.remove("clients", client.id);
  }
  for (const collection of ["signIns", "signUps"] as const) {
    for (const a of Object.values(store.state[collection])) {
      if (a.abandonAt < now || !store.state.clients[a.clientId]) store.remove(collection, a.id);
    }
  }
  for (const flow of Object.values(store.state.oauthFlows)) {
    if (flow.expiresAt <= now) store.remove("oauthFlows", flow.id);
  }
  // An expired link is kept a while, so that opening it still says "expired".
  for (const link of Object.values(store.state.emailLinks)) {
    if (link.expiresAt + IDLE_CLIENT_MS <= now) store.remove("emailLinks", link.id);
  }
}

// A development instance identifies each browser by its dev browser token; each gets its own,
// initially signed-out, client.
export function createDevBrowser(core: Core): ClientRecord {
  const now = core.now();
  forgetIdleClients(core, now);
  const client: ClientRecord = {
    id: newId("client"),
    devBrowserId: newId("dvb"),
    sessionIds: [],
    lastActiveSessionId: null,
    signInId: null,
    signUpId: null,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("clients", client);
  return client;
}

export function activeSessionsOf(core: Core, client: ClientRecord): SessionRecord[] {
  return client.sessionIds
    .map((id) => core.store.state.sessions[id])
    .filter(
      (s): s is SessionRecord =>
        s?.status === "active" && s.expireAt > core.now() && s.abandonAt > core.now(),
    );
}
