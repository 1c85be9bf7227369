import { describe, expect, it } from "vitest";
import type { Core } from "../../../emulator/src/core";
import { getSession, markSessionActive } from "../../../emulator/src/domain/sessions";
import type { SessionRecord } from "../../../emulator/src/store/records";

const MINUTE = 60 * 1000;
const NOW = Date.UTC(2026, 11, 5);

// A session as an actor token's sign-in creates it (30 minutes at most, 10 idle minutes) or as the
// user's own sign-in does, in an emulator whose clock the test sets.
function emulatorWith(session: SessionRecord) {
  const clock = { now: NOW };
  const core = {
    store: { state: { sessions: { [session.id]: session } }, save: () => {} },
    now: () => clock.now,
  } as unknown as Core;
  return { core, at: (minutes: number) => (clock.now = NOW + minutes * MINUTE) };
}

function session(actor: SessionRecord["actor"], expireAt: number, abandonAt: number) {
  return {
    id: "sess_1",
    userId: "user_1",
    status: "active",
    actor,
    lastActiveAt: NOW,
    expireAt,
    abandonAt,
    createdAt: NOW,
    updatedAt: NOW,
  } as SessionRecord;
}

describe("an impersonation session's lifetime", () => {
  it("is abandoned after 10 minutes without use; each use starts them again", () => {
    const s = session({ sub: "user_agent" }, NOW + 30 * MINUTE, NOW + 10 * MINUTE);
    const { core, at } = emulatorWith(s);
    at(9);
    markSessionActive(core, s);
    at(18);
    expect(getSession(core, s.id).status).toBe("active");
    at(19);
    expect(getSession(core, s.id).status).toBe("abandoned");
  });

  it("ends at its maximum duration however busy it is", () => {
    const s = session({ sub: "user_agent" }, NOW + 30 * MINUTE, NOW + 10 * MINUTE);
    const { core, at } = emulatorWith(s);
    for (const minute of [8, 16, 24, 29]) {
      at(minute);
      markSessionActive(core, s);
    }
    expect(s.abandonAt).toBe(NOW + 30 * MINUTE);
    at(30);
    expect(getSession(core, s.id).status).toBe("expired");
  });

  it("leaves a user's own session's idle limit alone", () => {
    const abandonAt = NOW + 30 * 24 * 60 * MINUTE;
    const s = session(undefined, NOW + 7 * 24 * 60 * MINUTE, abandonAt);
    const { core, at } = emulatorWith(s);
    at(60);
    markSessionActive(core, s);
    expect(s.abandonAt).toBe(abandonAt);
    expect(getSession(core, s.id).status).toBe("active");
  });
});
