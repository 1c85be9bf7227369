import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "svix";

export type ReceivedDelivery = {
  svixId: string;
  timestamp: number;
  type: string;
  payload: Record<string, unknown>;
  verified: boolean;
  status: number;
};

// A stand-in for the app's webhook route: verifies every delivery with svix, as Clerk's docs
// say a receiver must, and answers with whatever status the test scripts.
export async function startWebhookReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const deliveries: ReceivedDelivery[] = [];
  let respond: (d: ReceivedDelivery) => number = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = {
        "svix-id": String(req.headers["svix-id"] ?? ""),
        "svix-timestamp": String(req.headers["svix-timestamp"] ?? ""),
        "svix-signature": String(req.headers["svix-signature"] ?? ""),
      };
      let payload: Record<string, unknown> = {};
      let verified = false;
      try {
        payload = verifier.verify(raw, headers) as Record<string, unknown>;
        verified = true;
      } catch {
        payload = JSON.parse(raw);
      }
      const delivery: ReceivedDelivery = {
        svixId: headers["svix-id"],
        timestamp: Number(headers["svix-timestamp"]),
        type: String(payload.type),
        payload,
        verified,
        status: 0,
      };
      delivery.status = verified ? respond(delivery) : 400;
      deliveries.push(delivery);
      res.writeHead(delivery.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    deliveries,
    respondWith(fn: (d: ReceivedDelivery) => number) {
      respond = fn;
    },
    async waitFor(predicate: (all: ReceivedDelivery[]) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(deliveries)) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for webhook deliveries; got: ${deliveries.map((d) => `${d.type}(${d.status})`).join(", ")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return deliveries;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
