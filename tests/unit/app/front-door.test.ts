import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { originForm, quietWhenAborted } from "../../../scripts/lib/front-door";

// Next's own code for the request body its proxy reads (not typed for import).
const { getCloneableBody } = createRequire(import.meta.url)("next/dist/server/body-streams") as {
  getCloneableBody: (
    req: NodeJS.ReadableStream,
    limit: number,
  ) => { cloneBodyStream: () => NodeJS.ReadableStream; finalize: () => Promise<void> };
};

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

// A request with a body, through what Next does with it for the proxy (its copy read, then put in
// the request's place), whose client leaves while the answer is still pending: the number of
// uncaught exceptions that made.
async function uncaughtWhenClientLeaves(guard: boolean): Promise<number> {
  let uncaught = 0;
  const count = () => {
    uncaught += 1;
  };
  process.on("uncaughtException", count);
  try {
    let answered: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      answered = resolve;
    });
    server = createServer(async (req, res) => {
      if (guard) quietWhenAborted(req);
      const body = getCloneableBody(req, 1024 * 1024);
      for await (const _ of body.cloneBodyStream()) {
      }
      await body.finalize();
      res.once("close", () => setTimeout(answered, 50));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const socket = connect(port, "127.0.0.1", () => {
      socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab");
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on("error", () => {});
    await finished;
    return uncaught;
  } finally {
    process.off("uncaughtException", count);
  }
}

describe("the front door", () => {
  it("makes a client leaving before its answer a quiet close, where Next's body handling made it an uncaught exception", async () => {
    expect(await uncaughtWhenClientLeaves(false)).toBe(1);
    expect(await uncaughtWhenClientLeaves(true)).toBe(0);
  });

  it("serves an absolute-form request line as its path, never its host", () => {
    expect(originForm("http://evil.example/orgs/acme?x=1")).toBe("/orgs/acme?x=1");
    expect(originForm("/orgs/acme")).toBe("/orgs/acme");
    expect(originForm("*")).toBe("*");
    expect(originForm("not a url")).toBe("/");
  });
});
