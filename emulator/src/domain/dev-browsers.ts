import type { Core } from "../core";
import { newId } from "../store/ids";
import type { ClientRecord, SessionRecord } from "../store/records";

// A development instance identifies each browser by its dev browser token; each gets its own,
// initially signed-out, client.
export function createDevBrowser(core: Core): ClientRecord {
  const now = core.now();
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
