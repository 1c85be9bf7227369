import path from "node:path";
import { GroupCommit } from "./group-commit";
import { newId } from "./ids";
import {
  type CollectionName,
  INDEXES,
  type IndexedCollection,
  type IndexName,
  RecordIndex,
  type RecordOf,
} from "./indexes";
import type { EmulatorState } from "./records";
import { readFileIfExists, removeStaleTempFiles, replaceFileAtomically } from "./state-file";
import { upgradeState } from "./upgrade";

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
    signInTokens: {},
    actorTokens: {},
    organizationDomains: {},
    organizationSuggestions: {},
    membershipRequests: {},
    apiKeys: {},
    machines: {},
    m2mTokens: {},
    oauthApplications: {},
    oauthGrants: {},
    oauthCodes: {},
    oauthTokens: {},
    // The emulator registers MCP clients out of the box; Clerk leaves registration off until the
    // Dashboard turns it on.
    oauthApplicationSettings: { dynamicOAuthClientRegistration: true, oauthJwtAccessTokens: false },
    sessions: {},
    clients: {},
    signIns: {},
    signUps: {},
    oauthFlows: {},
    emailLinks: {},
    mailbox: [],
    jwtTemplates: {},
    webhookMessages: [],
    billingPlans: {},
    billingPayers: {},
    billingPaymentMethods: {},
    subscriptions: {},
    checkouts: {},
    paymentAttempts: {},
    statements: {},
  };
}

// What the rest of the emulator sees: records can be changed in place (then save()), but a
// collection gains or loses records only through put/remove, so no index is ever forgotten.
export type StoreState = {
  readonly [K in keyof EmulatorState]: K extends CollectionName
    ? Readonly<EmulatorState[K]>
    : EmulatorState[K];
};

// Kept bounded so the state file and the inspect page stay small in long dev sessions.
const MAX_WEBHOOK_LOG = 500;
const MAX_MAILBOX = 200;
// How long bookkeeping (an API key's last use, webhook attempts) may wait for a write.
const LAZY_WRITE_MS = 1_000;

type KeysOf = (record: { id: string }) => readonly string[];
// The definitions without their per-collection record types, for filing any record.
const KEY_FUNCTIONS = INDEXES as unknown as Partial<Record<CollectionName, Record<string, KeysOf>>>;

export class Store {
  private data: EmulatorState;
  private indexes = new Map<CollectionName, Map<string, RecordIndex>>();
  private readonly file: string;
  private readonly commits: GroupCommit;

  constructor(dataDir: string, log: (line: string) => void = console.log) {
    this.file = path.join(dataDir, "state.json");
    removeStaleTempFiles(this.file);
    const saved = readFileIfExists(this.file);
    // A state file written before a collection existed gets it empty.
    this.data = upgradeState({
      ...emptyState(),
      ...(saved ? (JSON.parse(saved) as EmulatorState) : {}),
    });
    this.buildIndexes();
    this.commits = new GroupCommit(() => this.write(), log, LAZY_WRITE_MS);
  }

  get state(): StoreState {
    return this.data;
  }

  isEmpty(): boolean {
    return (
      Object.keys(this.data.users).length === 0 && Object.keys(this.data.organizations).length === 0
    );
  }

  // The records filed under `key` (in the order they were added).
  lookup<C extends IndexedCollection>(collection: C, index: IndexName<C>, key: string) {
    const records = this.data[collection] as Record<string, RecordOf<C>>;
    const ids = this.indexes.get(collection)?.get(index)?.ids(key) ?? [];
    return ids.map((id) => records[id] as RecordOf<C>);
  }

  // Adds a record, or files one again whose indexed fields were replaced.
  put<C extends CollectionName>(collection: C, record: RecordOf<C>): RecordOf<C> {
    (this.data[collection] as Record<string, RecordOf<C>>)[record.id] = record;
    this.fileRecord(collection, record);
    this.save();
    return record;
  }

  // Changes a record's fields, the readonly (indexed) ones included, and files it again.
  update<C extends CollectionName>(
    collection: C,
    record: RecordOf<C>,
    changes: Partial<RecordOf<C>>,
  ): RecordOf<C> {
    return this.put(collection, Object.assign(record, changes));
  }

  remove<C extends CollectionName>(collection: C, id: string): void {
    delete (this.data[collection] as Record<string, RecordOf<C>>)[id];
    for (const index of this.indexes.get(collection)?.values() ?? []) index.unfile(id);
    this.save();
  }

  // A change the caller is about to report: on disk before the answer (see durable()).
  save(): void {
    this.commits.changed();
  }

  // Bookkeeping nobody is told about: written with the next write, or within LAZY_WRITE_MS.
  saveLazily(): void {
    this.commits.changedLazily();
  }

  // Resolves once every change saved so far is on disk: the server awaits it before answering.
  durable(): Promise<void> {
    return this.commits.durable();
  }

  close(): Promise<void> {
    return this.commits.close();
  }

  reset(): void {
    this.data = { ...emptyState(), instanceId: this.data.instanceId };
    this.buildIndexes();
    this.save();
  }

  private async write(): Promise<void> {
    // The snapshot is taken here, synchronously: the write covers every change made before it.
    const log = this.data.webhookMessages;
    if (log.length > MAX_WEBHOOK_LOG) {
      const settled = log.filter((m) => m.state !== "pending");
      const drop = new Set(settled.slice(0, log.length - MAX_WEBHOOK_LOG));
      this.data.webhookMessages = log.filter((m) => !drop.has(m));
    }
    this.data.mailbox = this.data.mailbox.slice(-MAX_MAILBOX);
    await replaceFileAtomically(this.file, JSON.stringify(this.data));
  }

  private buildIndexes(): void {
    this.indexes = new Map();
    for (const [collection, keyFunctions] of Object.entries(KEY_FUNCTIONS)) {
      const names = Object.keys(keyFunctions);
      this.indexes.set(
        collection as CollectionName,
        new Map(names.map((n) => [n, new RecordIndex()])),
      );
    }
    for (const collection of this.indexes.keys()) {
      for (const record of Object.values(this.data[collection]))
        this.fileRecord(collection, record);
    }
  }

  private fileRecord(collection: CollectionName, record: { id: string }): void {
    const indexes = this.indexes.get(collection);
    for (const [name, keysOf] of Object.entries(KEY_FUNCTIONS[collection] ?? {})) {
      indexes?.get(name)?.file(record.id, keysOf(record));
    }
  }
}
