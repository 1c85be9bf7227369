import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";

let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

async function clerkError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    if (isClerkAPIResponseError(err)) return err;
    throw err;
  }
  throw new Error("expected the SDK call to fail");
}

const email = (label: string) => `${unique(label)}@example.com`;

describe("Backend API: users", () => {
  it("creates a user the SDK reads back with names, email and metadata", async () => {
    const address = email("ada");
    const created = await clerk.users.createUser({
      emailAddress: [address],
      password: "correct-horse-battery",
      firstName: "Ada",
      lastName: "Lovelace",
      publicMetadata: { plan: "pro" },
      privateMetadata: { crm: 42 },
    });
    expect(created.id).toMatch(/^user_\w{27}$/);
    expect(created.passwordEnabled).toBe(true);
    expect(created.primaryEmailAddress?.emailAddress).toBe(address);

    const fetched = await clerk.users.getUser(created.id);
    expect(fetched.firstName).toBe("Ada");
    expect(fetched.lastName).toBe("Lovelace");
    expect(fetched.publicMetadata).toEqual({ plan: "pro" });
    expect(fetched.privateMetadata).toEqual({ crm: 42 });
  });

  it("lists users with the SDK's filters, ordering, pagination and total count", async () => {
    const tag = unique("list");
    const addresses = [1, 2, 3].map((n) => `${tag}-${n}@example.com`);
    const ids: string[] = [];
    for (const [i, address] of addresses.entries()) {
      const u = await clerk.users.createUser({ emailAddress: [address], firstName: `F${i}` });
      ids.push(u.id);
    }

    const byQuery = await clerk.users.getUserList({ query: tag, orderBy: "+created_at" });
    expect(byQuery.totalCount).toBe(3);
    expect(byQuery.data.map((u) => u.id)).toEqual(ids);

    const page = await clerk.users.getUserList({
      query: tag,
      orderBy: "-created_at",
      limit: 2,
      offset: 1,
    });
    expect(page.data.map((u) => u.id)).toEqual([ids[1], ids[0]]);
    expect(page.totalCount).toBe(3);

    const byEmail = await clerk.users.getUserList({ emailAddress: [addresses[2] as string] });
    expect(byEmail.data.map((u) => u.id)).toEqual([ids[2]]);

    const byId = await clerk.users.getUserList({ userId: [ids[0] as string, ids[1] as string] });
    expect(byId.data.map((u) => u.id).sort()).toEqual([ids[0], ids[1]].sort());

    expect(await clerk.users.getCount({ query: tag })).toBe(3);
  });

  it("updates names and merges or replaces metadata as Clerk does", async () => {
    const user = await clerk.users.createUser({
      emailAddress: [email("meta")],
      publicMetadata: { a: 1, nested: { x: 1, y: 2 } },
    });
    const renamed = await clerk.users.updateUser(user.id, { firstName: "Grace" });
    expect(renamed.firstName).toBe("Grace");
    expect(renamed.updatedAt).toBeGreaterThan(user.updatedAt);

    const merged = await clerk.users.updateUserMetadata(user.id, {
      publicMetadata: { b: 2, nested: { y: null, z: 3 } },
    });
    expect(merged.publicMetadata).toEqual({ a: 1, b: 2, nested: { x: 1, z: 3 } });

    const replaced = await clerk.users.replaceUserMetadata(user.id, {
      publicMetadata: { only: true },
    });
    expect(replaced.publicMetadata).toEqual({ only: true });
  });

  it("deletes a user, after which the SDK gets a 404", async () => {
    const user = await clerk.users.createUser({ emailAddress: [email("gone")] });
    const deleted = await clerk.users.deleteUser(user.id);
    expect(deleted.id).toBe(user.id);
    const err = await clerkError(clerk.users.getUser(user.id));
    expect(err.status).toBe(404);
    expect(err.errors[0]?.code).toBe("resource_not_found");
  });

  it("rejects a taken email with form_identifier_exists on email_address", async () => {
    const address = email("dup");
    await clerk.users.createUser({ emailAddress: [address] });
    const err = await clerkError(clerk.users.createUser({ emailAddress: [address.toUpperCase()] }));
    expect(err.status).toBe(422);
    expect(err.errors[0]?.code).toBe("form_identifier_exists");
    expect(err.errors[0]?.meta?.paramName).toBe("email_address");
  });

  it("rejects a short password and unknown parameters with 422 naming the field", async () => {
    const short = await clerkError(
      clerk.users.createUser({ emailAddress: [email("pw")], password: "short" }),
    );
    expect(short.errors[0]?.code).toBe("form_password_length_too_short");
    expect(short.errors[0]?.meta?.paramName).toBe("password");

    const res = await fetch(`${emulator.url}/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ email_address: [email("x")], favourite_colour: "teal" }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { code: string; meta: { param_name: string } }[] };
    expect(body.errors[0]).toMatchObject({
      code: "form_param_unknown",
      meta: { param_name: "favourite_colour" },
    });
  });

  it("answers a wrong secret key with 401 in Clerk's error envelope", async () => {
    const res = await fetch(`${emulator.url}/v1/users`, {
      headers: { authorization: "Bearer sk_test_wrong" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as { errors: { code: string }[] };
    expect(body.errors[0]?.code).toBe("authentication_invalid");

    const missing = await fetch(`${emulator.url}/v1/users`);
    expect(missing.status).toBe(401);
  });

  it("rejects a body that is not application/json", async () => {
    const res = await fetch(`${emulator.url}/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, "content-type": "text/plain" },
      body: "email_address=a@example.com",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { code: string }[] };
    expect(body.errors[0]?.code).toBe("unsupported_content_type");
  });

  it("answers with Content-Type exactly application/json, which the SDK requires", async () => {
    const res = await fetch(`${emulator.url}/v1/users/count`, {
      headers: { authorization: `Bearer ${TEST_SECRET_KEY}` },
    });
    expect(res.headers.get("content-type")).toBe("application/json");
  });
});
