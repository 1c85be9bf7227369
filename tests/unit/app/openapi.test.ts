import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/api/openapi";

const API_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../src/app/api/v1",
);

// Every "METHOD /path" the route handlers under src/app/api/v1 export, in OpenAPI's path syntax.
function handlerOperations(dir = API_DIR, prefix = ""): string[] {
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
  const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`),
  );

  it("describes every operation the API's route handlers serve, and no other", () => {
    const served = handlerOperations().filter((op) => op !== "GET /openapi.json");
    expect(documented.sort()).toEqual(served.sort());
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
    ]);
    const members = doc.paths["/members"]?.get as { security: unknown[] };
    expect(members.security).toEqual([{ apiKey: ["members:read"] }, { session: [] }]);
  });

  it("rejects unknown fields in request bodies, as the handlers do", () => {
    for (const id of ["ProjectInput", "ProjectPatch"]) {
      expect(doc.components.schemas[id], id).toMatchObject({ additionalProperties: false });
    }
  });
});
