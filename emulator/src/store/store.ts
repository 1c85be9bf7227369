import path from "node:path";
import { newId } from "./ids";
import type { EmulatorState } from "./records";
import { readFileIfExists, writeFileAtomic } from "./state-file";

function emptyState(): EmulatorState {
  return {
    version: 1,
    instanceId: newId("ins"),
    users: {},
    organizations: {},
    memberships: {},
    permissions: {},
    roles: {},
    invitations: {},
    apiKeys: {},
    sessions: {},
    clients: {},
    signIns: {},
    signUps: {},
    mailbox: [],
    jwtTemplates: {},
    webhookMessages: [],
  };
}

// Kept bounded so the state file and the inspect page stay small in long dev sessions.
const MAX_WEBHOOK_LOG = 500;
const MAX_MAILBOX = 200;

export class Store {
  state: EmulatorState;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "state.json");
    const saved = readFileIfExists(this.file);
    // A state file written before a collection existed gets it empty.
    this.state = { ...emptyState(), ...(saved ? (JSON.parse(saved) as EmulatorState) : {}) };
  }

  isEmpty(): boolean {
    return (
      Object.keys(this.state.users).length === 0 &&
      Object.keys(this.state.organizations).length === 0
    );
  }

  // Every mutation ends with save(): the file always holds the state the API last answered with.
  save(): void {
    const log = this.state.webhookMessages;
    if (log.length > MAX_WEBHOOK_LOG) {
      const settled = log.filter((m) => m.state !== "pending");
      const drop = new Set(settled.slice(0, log.length - MAX_WEBHOOK_LOG));
      this.state.webhookMessages = log.filter((m) => !drop.has(m));
    }
    this.state.mailbox = this.state.mailbox.slice(-MAX_MAILBOX);
    writeFileAtomic(this.file, JSON.stringify(this.state));
  }

  reset(): void {
    this.state = { ...emptyState(), instanceId: this.state.instanceId };
    this.save();
  }
}
