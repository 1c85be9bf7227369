import type { Core } from "../core";
import { newId } from "../store/ids";
import type { ClientRecord, SessionRecord } from "../store/records";

// A development instance identifies each browser by its dev browser token; each gets its own,
// initially signed-out, client.
const IDLE_CLIENT_MS = 7 * 24 * 60 * 60 * 1000;

// Every new browser gets a client; the ones nobody has used for a week, with no live session, go.
function forgetIdleClients(core: Core, now: number) {
  const { state } = core.store;
  for (const client of Object.values(state.clients)) {
    if (client.updatedAt > now - IDLE_CLIENT_MS || activeSessionsOf(core, client).length > 0)
      continue;
    if (client.signInId) delete state.signIns[client.signInId];
    if (client.signUpId) delete state.signUps[client.signUpId];
    delete state.clients[client.id];
  }
}

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
  core.store.state.clients[client.id] = client;
  core.store.save();
  return client;
}

export function activeSessionsOf(core: Core, client: ClientRecord): SessionRecord[] {
  return client.sessionIds
    .map((id) => core.store.state.sessions[id])
    .filter((s): s is SessionRecord => s?.status === "active" && s.expireAt > core.now());
}
