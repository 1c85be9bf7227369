import { connect, createServer, type Server, type Socket } from "node:net";

export type FreezableRelay = {
  // `target` with the relay's port in place of its own.
  url: string;
  // Stops passing bytes either way (connections are still accepted, as the kernel accepts them
  // for a stopped process), until thawed.
  freeze: () => void;
  thaw: () => void;
  close: () => Promise<void>;
};

// A TCP relay in front of a server (a database) that a test can freeze and thaw: what a client
// sees of a server that stops answering (a SIGSTOP, a hung host, a network that drops packets),
// without stopping a server that others share.
export async function startFreezableRelay(target: string): Promise<FreezableRelay> {
  const upstream = new URL(target);
  const port = Number(upstream.port);
  let frozen = false;
  const sockets = new Set<Socket>();
  const waiting: (() => void)[] = [];
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.pause();
    const open = () => {
      const onward = connect(port, upstream.hostname);
      sockets.add(onward);
      onward.on("close", () => sockets.delete(onward));
      client.pipe(onward);
      onward.pipe(client);
      client.on("error", () => onward.destroy());
      onward.on("error", () => client.destroy());
      client.on("close", () => onward.destroy());
      onward.on("close", () => client.destroy());
      client.resume();
    };
    if (frozen) waiting.push(open);
    else open();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const relayed = new URL(target);
  relayed.hostname = "127.0.0.1";
  relayed.port = String(typeof address === "object" && address ? address.port : 0);
  return {
    url: relayed.toString(),
    freeze: () => {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw: () => {
      frozen = false;
      for (const s of sockets) s.resume();
      for (const open of waiting.splice(0)) open();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
