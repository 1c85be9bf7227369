import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  BAPI_SPEC,
  FAPI_SPEC,
  loadContract,
  validateWebhookPayload,
  WEBHOOKS_SPEC,
} from "../support/openapi-contract";

type JsonObject = Record<string, unknown>;

function readSpec(file: string): JsonObject {
  return parse(readFileSync(file, "utf8")) as JsonObject;
}

/** Walks plain keys (no JSON-pointer escaping needed for the keys used here). */
function at(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((current, key) => (current as JsonObject | undefined)?.[key], node);
}

function object(value: unknown): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  return value as JsonObject;
}

const clone = <T>(value: T): T => structuredClone(value);

const webhooksDoc = readSpec(WEBHOOKS_SPEC);
const bapiDoc = readSpec(BAPI_SPEC);

/** Every example the webhooks spec gives, inline or via `#/components/examples`. */
function webhookExamples(): [string, JsonObject][] {
  return Object.keys(object(webhooksDoc["x-webhooks"])).flatMap((type) => {
    const media = object(
      at(webhooksDoc, "x-webhooks", type, "post", "requestBody", "content", "application/json"),
    );
    const named = Object.values(object(media.examples ?? {})).map((example) => {
      const ref = at(example, "$ref");
      const resolved =
        typeof ref === "string" ? at(webhooksDoc, ...ref.slice(2).split("/")) : example;
      return object(at(resolved, "value"));
    });
    const examples = media.example === undefined ? named : [object(media.example), ...named];
    return examples.map((example): [string, JsonObject] => [type, example]);
  });
}

function webhookExample(type: string): JsonObject {
  const found = webhookExamples().find(([candidate]) => candidate === type);
  if (!found) throw new Error(`no example for ${type}`);
  return clone(found[1]);
}

/** Builds an object from each property's own `example` (or its single enum value). */
function fromPropertyExamples(schema: unknown): JsonObject {
  return Object.fromEntries(
    Object.entries(object(at(schema, "properties"))).map(([name, property]) => {
      const p = object(property);
      if ("example" in p) return [name, p.example];
      if (Array.isArray(p.enum) && p.enum.length === 1) return [name, p.enum[0]];
      throw new Error(`property ${name} has no example`);
    }),
  );
}

/**
 * Examples in the webhooks spec that contradict the spec's own schemas, with the exact errors they
 * produce. They are bugs in the examples or schemas that the validator must not paper over; an
 * entry that stops failing makes its test fail, so fixed examples get checked again.
 */
const DEFECTIVE_WEBHOOK_EXAMPLES: Record<string, string[]> = {
  "organizationDomain.created": [
    '/data: must have required property "affiliation_verification"',
    '/data: must have required property "ownership_verification"',
  ],
  "organizationDomain.updated": [
    '/data: must have required property "affiliation_verification"',
    '/data: must have required property "ownership_verification"',
    '/data/verification: must have required property "verified_at"',
  ],
  "organizationInvitation.created": [
    '/data: must have required property "inviter_id"',
    '/data: must have required property "public_inviter_data"',
  ],
  "organizationInvitation.accepted": [
    '/data: must have required property "inviter_id"',
    '/data: must have required property "public_inviter_data"',
    '/data: must have required property "data"',
  ],
  "organizationInvitation.revoked": [
    '/data: must have required property "inviter_id"',
    '/data: must have required property "public_inviter_data"',
  ],
  ...Object.fromEntries(
    ["paymentAttempt.created", "paymentAttempt.updated"].map((type) => [
      type,
      [
        '/data: must have required property "invoice_id"',
        '/data/payer: must have required property "organization_id"',
        '/data/payer: must have required property "organization_name"',
        '/data/subscription_items/0: must have required property "object"',
        '/data/subscription_items/0: must have required property "created_at"',
        '/data/subscription_items/0: must have required property "updated_at"',
        '/data/subscription_items/0: must have required property "interval"',
      ],
    ]),
  ),
  "role.updated": ['/data: must have required property "is_creator_eligible"'],
  "role.deleted": ["/data/slug: must be string (got null)"],
  // The webhooks spec's Session.status enum lacks "pending" (the BAPI spec's has it).
  "session.pending": [
    '/data/status: must be equal to one of the allowed values ["active","revoked","ended","expired","removed","abandoned","replaced"] (got "pending")',
  ],
  "sms.created": ['/data: must have required property "created_at_ms"'],
  ...Object.fromEntries(
    [
      "abandoned",
      "active",
      "canceled",
      "ended",
      "freeTrialEnding",
      "incomplete",
      "pastDue",
      "upcoming",
      "updated",
    ].map((event) => [
      `subscriptionItem.${event}`,
      [
        '/data/object: must be equal to one of the allowed values ["commerce_subscription_item"] (got "subscription_item")',
      ],
    ]),
  ),
  "waitlistEntry.created": [
    '/data/object: must be equal to one of the allowed values ["waitlist_entry"] (got "waitlistEntry")',
  ],
  "waitlistEntry.updated": [
    '/data/object: must be equal to one of the allowed values ["waitlist_entry"] (got "waitlistEntry")',
    '/data/invitation: must have required property "public_metadata"',
  ],
};

describe("validateWebhookPayload", () => {
  const examples = webhookExamples();
  const sound = examples.filter(([type]) => !(type in DEFECTIVE_WEBHOOK_EXAMPLES));
  const defective = examples.filter(([type]) => type in DEFECTIVE_WEBHOOK_EXAMPLES);

  it("finds an example for every event the project relies on", () => {
    const types = sound.map(([type]) => type);
    expect(types).toEqual(
      expect.arrayContaining([
        "user.created",
        "user.updated",
        "user.deleted",
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "session.created",
        "session.ended",
        "session.removed",
        "session.revoked",
      ]),
    );
  });

  it.each(sound)("accepts the spec's own %s example", (type, example) => {
    expect(validateWebhookPayload(example)).toEqual({ ok: true, operation: `webhook ${type}` });
  });

  it.each(defective)(
    "rejects the %s example exactly as its recorded spec defect says",
    (type, example) => {
      expect(validateWebhookPayload(example)).toEqual({
        ok: false,
        errors: DEFECTIVE_WEBHOOK_EXAMPLES[type],
      });
    },
  );

  it("names a required property that is missing", () => {
    const payload = webhookExample("user.created");
    delete object(payload.data).first_name;
    expect(validateWebhookPayload(payload)).toEqual({
      ok: false,
      errors: ['/data: must have required property "first_name"'],
    });
  });

  it("names a property with the wrong type", () => {
    const payload = webhookExample("organizationMembership.created");
    object(payload.data).object = 42;
    const result = validateWebhookPayload(payload);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toContain("/data/object: must be string (got number)");
  });

  it("still rejects unknown properties on session events, whose allOf it closes as a whole", () => {
    const payload = webhookExample("session.created");
    object(payload.data).surprise = true;
    expect(validateWebhookPayload(payload)).toEqual({
      ok: false,
      errors: ['/data: must NOT have additional property "surprise"'],
    });
  });

  it("rejects an event type the spec does not describe", () => {
    expect(
      validateWebhookPayload({ ...webhookExample("user.created"), type: "user.teleported" }),
    ).toEqual({
      ok: false,
      errors: ["no webhook event user.teleported in webhooks spec"],
    });
  });

  it("rejects a payload without a type", () => {
    expect(validateWebhookPayload({ data: {} })).toEqual({
      ok: false,
      errors: ['webhook payload has no string "type"'],
    });
  });
});

describe("loadContract(BAPI_SPEC).validateResponse", () => {
  const bapi = loadContract(BAPI_SPEC);
  const user = () => object(webhookExample("user.created").data);
  const clerkError = {
    message: "Not Found",
    long_message: "User not found",
    code: "resource_not_found",
  };
  const apiKey = fromPropertyExamples(
    at(
      bapiDoc,
      "paths",
      "/api_keys/{apiKeyID}",
      "get",
      "responses",
      "200",
      "content",
      "application/json",
      "schema",
    ),
  );

  it("is cached per spec file", () => {
    expect(loadContract(BAPI_SPEC)).toBe(bapi);
  });

  it("accepts the user.created example's user as a GET /v1/users/{user_id} body", () => {
    expect(
      bapi.validateResponse({ method: "GET", path: "/v1/users/user_x", status: 200, body: user() }),
    ).toEqual({
      ok: true,
      operation: "GET /users/{user_id}",
    });
  });

  it("accepts the organization.created example's organization as a GET /v1/organizations/{organization_id} body", () => {
    const organization = webhookExample("organization.created").data;
    expect(
      bapi.validateResponse({
        method: "GET",
        path: "/v1/organizations/org_x",
        status: 200,
        body: organization,
      }),
    ).toEqual({ ok: true, operation: "GET /organizations/{organization_id}" });
  });

  it("accepts the organizationMembership.created example's membership in a paginated membership list", () => {
    const membership = webhookExample("organizationMembership.created").data;
    expect(
      bapi.validateResponse({
        method: "GET",
        path: "/v1/organizations/org_x/memberships",
        status: 200,
        body: { data: [membership], total_count: 1 },
      }),
    ).toEqual({ ok: true, operation: "GET /organizations/{organization_id}/memberships" });
  });

  it("accepts an API key built from the spec's per-property examples", () => {
    expect(
      bapi.validateResponse({ method: "GET", path: "/api_keys/ak_x", status: 200, body: apiKey }),
    ).toEqual({
      ok: true,
      operation: "GET /api_keys/{apiKeyID}",
    });
  });

  it("accepts a testing token built from the spec's per-property examples", () => {
    const token = fromPropertyExamples(at(bapiDoc, "components", "schemas", "TestingToken"));
    expect(
      bapi.validateResponse({
        method: "POST",
        path: "/v1/testing_tokens",
        status: 200,
        body: token,
      }),
    ).toEqual({
      ok: true,
      operation: "POST /testing_tokens",
    });
  });

  it("accepts null where the spec marks a composed schema nullable", () => {
    const email = {
      id: "idn_x",
      object: "email_address",
      email_address: "jane@example.com",
      reserved: false,
      verification: null,
      linked_to: [],
      created_at: 1,
      updated_at: 1,
    };
    const body = { ...user(), email_addresses: [email], scim: null };
    expect(
      bapi.validateResponse({ method: "GET", path: "/v1/users/user_x", status: 200, body }).ok,
    ).toBe(true);
  });

  it("reports only the discriminated branch's errors for a tagged verification", () => {
    const verification = {
      object: "verification_otp",
      status: "bogus",
      strategy: "email_code",
      attempts: 1,
      expire_at: 2,
    };
    const email = {
      id: "idn_x",
      object: "email_address",
      email_address: "jane@example.com",
      reserved: false,
      verification,
      linked_to: [],
      created_at: 1,
      updated_at: 1,
    };
    const body = { ...user(), email_addresses: [email] };
    expect(
      bapi.validateResponse({ method: "GET", path: "/v1/users/user_x", status: 200, body }),
    ).toEqual({
      ok: false,
      errors: [
        '/email_addresses/0/verification/status: must be equal to one of the allowed values ["unverified","verified","failed","expired"] (got "bogus")',
      ],
    });
  });

  it("names a missing required property, a mistyped one and an unexpected one", () => {
    const body: JsonObject = { ...user(), object: 42, favourite_colour: "teal" };
    delete body.id;
    expect(
      bapi.validateResponse({ method: "GET", path: "/v1/users/user_x", status: 200, body }),
    ).toEqual({
      ok: false,
      errors: [
        '(root): must have required property "id"',
        '(root): must NOT have additional property "favourite_colour"',
        "/object: must be string (got number)",
        '/object: must be equal to one of the allowed values ["user"] (got 42)',
      ],
    });
  });

  it("holds IDs to the spec's patterns", () => {
    const body = { ...apiKey, id: "ak_123" };
    expect(
      bapi.validateResponse({ method: "GET", path: "/api_keys/ak_123", status: 200, body }),
    ).toEqual({
      ok: false,
      errors: ['/id: must match pattern "^ak_[0-9A-Fa-f]{32}$" (got "ak_123")'],
    });
  });

  it("validates error responses against the Clerk error envelope", () => {
    expect(
      bapi.validateResponse({
        method: "GET",
        path: "/v1/users/user_x",
        status: 404,
        body: { errors: [clerkError] },
      }),
    ).toEqual({ ok: true, operation: "GET /users/{user_id}" });
    expect(
      bapi.validateResponse({
        method: "GET",
        path: "/v1/users/user_x",
        status: 404,
        body: { errors: [{ message: "Not Found" }] },
      }),
    ).toEqual({
      ok: false,
      errors: [
        '/errors/0: must have required property "long_message"',
        '/errors/0: must have required property "code"',
      ],
    });
  });

  it("expects the { data, total_count } envelope for a bare-array list requested with paginated=true", () => {
    const session = {
      object: "session",
      id: "sess_x",
      user_id: "user_x",
      client_id: "client_x",
      status: "active",
      last_active_at: 1,
      expire_at: 2,
      abandon_at: 3,
      updated_at: 1,
      created_at: 1,
    };
    const list = (path: string, body: unknown) =>
      bapi.validateResponse({ method: "GET", path, status: 200, body });
    expect(
      list("/v1/sessions?user_id=user_x&paginated=true", { data: [session], total_count: 1 }),
    ).toEqual({
      ok: true,
      operation: "GET /sessions",
    });
    expect(list("/v1/sessions?user_id=user_x", [session])).toEqual({
      ok: true,
      operation: "GET /sessions",
    });
    expect(list("/v1/sessions?user_id=user_x", { data: [session], total_count: 1 })).toEqual({
      ok: false,
      errors: ["(root): must be array (got object)"],
    });
    expect(list("/v1/sessions?paginated=true", { data: [{ ...session, status: "lost" }] })).toEqual(
      {
        ok: false,
        errors: [
          '(root): must have required property "total_count"',
          '/data/0/status: must be equal to one of the allowed values ["active","revoked","ended","expired","removed","abandoned","replaced","pending"] (got "lost")',
        ],
      },
    );
  });

  it("leaves responses that are not bare arrays alone under paginated=true", () => {
    const result = bapi.validateResponse({
      method: "GET",
      path: "/v1/organizations?paginated=true",
      status: 200,
      body: { data: [], total_count: 0, extra: true },
    });
    expect(result).toEqual({
      ok: false,
      errors: ['(root): must NOT have additional property "extra"'],
    });
  });

  it("holds a 401 from the M2M token operations, which the spec omits, to Clerk's error envelope", () => {
    const unauthorized = (path: string, body: unknown) =>
      bapi.validateResponse({ method: "POST", path, status: 401, body });
    const envelope = {
      errors: [
        { code: "authentication_invalid", message: "Unauthorized request", long_message: "x" },
      ],
    };
    expect(unauthorized("/m2m_tokens", envelope)).toEqual({
      ok: true,
      operation: "POST /m2m_tokens",
    });
    expect(unauthorized("/m2m_tokens/verify", { error: "nope" }).ok).toBe(false);
    // Any other undocumented status stays a violation.
    expect(
      bapi.validateResponse({ method: "POST", path: "/m2m_tokens", status: 403, body: envelope }),
    ).toEqual({
      ok: false,
      errors: [
        "no response for status 403 in bapi spec for POST /m2m_tokens (documented: 201, 400, 409)",
      ],
    });
  });

  it("caps the error list", () => {
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra_${i}`, i]));
    const result = bapi.validateResponse({
      method: "DELETE",
      path: "/v1/users/user_x",
      status: 200,
      body,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toHaveLength(21);
    expect(!result.ok && result.errors.at(-1)).toBe("... and 12 more");
  });

  describe("path matching", () => {
    const operationFor = (method: string, path: string, body: unknown, status = 200) => {
      const result = bapi.validateResponse({ method, path, status, body });
      return result.ok ? result.operation : result.errors;
    };

    it("prefers the literal /users/count over /users/{user_id}", () => {
      expect(
        operationFor("GET", "/v1/users/count", { object: "total_count", total_count: 3 }),
      ).toBe("GET /users/count");
    });

    it("maps a /v1-prefixed path to the unversioned spec path", () => {
      expect(operationFor("GET", "/v1/users/user_x", user())).toBe("GET /users/{user_id}");
    });

    it("ignores a trailing slash", () => {
      expect(operationFor("get", "/v1/users/", [user()])).toBe("GET /users");
    });

    it("collapses repeated slashes in the SDK's unversioned api_keys calls", () => {
      expect(operationFor("GET", "//api_keys", { data: [apiKey], total_count: 1 })).toBe(
        "GET /api_keys",
      );
    });

    it("matches a parameterised action path", () => {
      expect(operationFor("POST", "/api_keys/ak_x/revoke", apiKey)).toBe(
        "POST /api_keys/{apiKeyID}/revoke",
      );
    });

    it("prefers the literal /api_keys/verify over /api_keys/{apiKeyID}", () => {
      expect(operationFor("POST", "/api_keys/verify", apiKey)).toBe("POST /api_keys/verify");
    });

    it("falls back to the parameterised path when the literal one lacks the method", () => {
      expect(operationFor("GET", "/api_keys/verify", apiKey)).toBe("GET /api_keys/{apiKeyID}");
    });

    it("reports a path the spec does not describe", () => {
      expect(operationFor("GET", "/foo", {})).toEqual(["no operation in bapi spec for GET /foo"]);
    });

    it("reports a method the path does not support", () => {
      expect(operationFor("PUT", "/v1/users/count", {})).toEqual([
        "no operation in bapi spec for PUT /v1/users/count",
      ]);
    });

    it("reports a status the operation does not document", () => {
      expect(operationFor("GET", "/v1/users/count", {}, 500)).toEqual([
        "no response for status 500 in bapi spec for GET /users/count (documented: 200, 422)",
      ]);
    });

    it("reports a response without a JSON schema", () => {
      expect(operationFor("PATCH", "/v1/instance", {}, 204)).toEqual([
        "no application/json schema in bapi spec for PATCH /instance response 204",
      ]);
    });
  });
});

describe("loadContract(...).validateComponent", () => {
  it("validates a value against a named component schema", () => {
    const bapi = loadContract(BAPI_SPEC);
    expect(
      bapi.validateComponent("DeletedObject", { object: "user", id: "user_x", deleted: true }),
    ).toEqual({
      ok: true,
      operation: "#/components/schemas/DeletedObject",
    });
    expect(bapi.validateComponent("NoSuchSchema", {})).toEqual({
      ok: false,
      errors: ["no schema NoSuchSchema in bapi spec"],
    });
  });
});

describe("loadContract(FAPI_SPEC)", () => {
  it("validates the spec's own OAuth token response example through the same code path", () => {
    const fapiDoc = readSpec(FAPI_SPEC);
    const examples = object(
      at(
        fapiDoc,
        "components",
        "responses",
        "OAuth.Token",
        "content",
        "application/json",
        "examples",
      ),
    );
    const fapi = loadContract(FAPI_SPEC);
    expect(Object.keys(examples).length).toBeGreaterThan(0);
    for (const example of Object.values(examples)) {
      expect(
        fapi.validateResponse({
          method: "POST",
          path: "/oauth/token",
          status: 200,
          body: at(example, "value"),
        }),
      ).toEqual({ ok: true, operation: "POST /oauth/token" });
    }
  });

  it("keeps FAPI's /v1 paths and also finds its unversioned api_keys paths under /v1", () => {
    const fapi = loadContract(FAPI_SPEC);
    expect(
      fapi.validateResponse({ method: "GET", path: "/v1/environment", status: 200, body: null }),
    ).toEqual({
      ok: false,
      errors: ["(root): must be object (got null)"],
    });
    expect(
      fapi.validateResponse({
        method: "GET",
        path: "/v1/api_keys",
        status: 200,
        body: { data: [], total_count: 0 },
      }),
    ).toEqual({ ok: true, operation: "GET /api_keys" });
  });
});
