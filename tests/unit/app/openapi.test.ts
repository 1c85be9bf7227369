import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/api/openapi";
import { CUSTOM_OAUTH_SCOPES } from "../../../clerk/oauth-scopes";
import { API_SCOPES } from "../../../src/auth/api-scopes";

const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src/app/api");

// Every "METHOD /api/path" the route handlers under src/app/api export, in OpenAPI's path syntax.
function handlerOperations(dir = API_DIR, prefix = "/api"): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const segment = entry.name.replace(/^\[(.+)\]$/, "{$1}");
      found.push(...handlerOperations(child, `${prefix}/${segment}`));
    } else if (entry.name === "route.ts") {
      const source = readFileSync(child, "utf8");
      for (const [, method] of source.matchAll(
        /export (?:(?:async )?function|const) (GET|POST|PATCH|PUT|DELETE)\b/g,
      )) {
        found.push(`${method} ${prefix}`);
      }
    }
  }
  return found;
}

describe("the OpenAPI document", () => {
  const doc = openApiDocument();
  // At their full paths: the document's server (/api/v1), or an operation's own.
  const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item).map(
      ([method, op]) =>
        `${method.toUpperCase()} ${op.servers?.[0]?.url ?? doc.servers[0]?.url}${p}`,
    ),
  );

  it("describes every operation the API's route handlers serve, and no other", () => {
    // The document itself, and the unproxied endpoints (health, Clerk's webhooks), are not the API.
    const notApi = ["GET /api/v1/openapi.json", "GET /api/health", "POST /api/webhooks/clerk"];
    const served = handlerOperations().filter((op) => !notApi.includes(op));
    expect(documented.sort()).toEqual(served.sort());
  });

  it("takes M2M tokens, and only those, on the machine routes", () => {
    const reconcile = doc.paths["/reconcile"]?.post;
    expect(reconcile?.servers).toEqual([{ url: "/api/internal" }]);
    expect(reconcile?.security).toEqual([{ m2mToken: [] }]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual([
      "apiKey",
      "session",
      "oauth",
      "m2mToken",
    ]);
  });

  it("is OpenAPI 3.1 and every schema in it compiles as JSON Schema 2020-12", () => {
    expect(doc.openapi).toBe("3.1.0");
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, "doc");
    for (const id of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`doc#/components/schemas/${id}`), id).not.toThrow();
    }
  });

  it("states the scope and the session permission each operation needs", () => {
    const list = doc.paths["/projects"]?.get as { security: unknown[]; description: string };
    expect(list.security).toEqual([
      { apiKey: ["projects:read"] },
      { session: ["org:projects:read"] },
      { oauth: ["projects:read"] },
    ]);
    const members = doc.paths["/members"]?.get as { security: unknown[] };
    expect(members.security).toEqual([
      { apiKey: ["members:read"] },
      { session: [] },
      { oauth: ["members:read"] },
    ]);
  });

  it("offers Clerk's OAuth server for every API scope, the custom OAuth scopes being the API's", () => {
    const flow = doc.components.securitySchemes.oauth?.flows?.authorizationCode;
    expect(Object.keys(flow?.scopes ?? {}).sort()).toEqual([...API_SCOPES, "user:org:read"].sort());
    expect(CUSTOM_OAUTH_SCOPES.map((s) => s.scope)).toEqual([...API_SCOPES]);
  });

  it("rejects unknown fields in request bodies, as the handlers do", () => {
    for (const id of ["ProjectInput", "ProjectPatch"]) {
      expect(doc.components.schemas[id], id).toMatchObject({ additionalProperties: false });
    }
  });
});
