// A time bound on work that waits for another system (Clerk, Redis, the database). When the timer
// fires, the bound is checked only once the event loop has taken in the I/O that had already
// arrived: on a server so busy that it runs late, timers and answers come due in the same turn,
// and an answer that arrived in time must not be mistaken for none.

export class DeadlineExceeded extends Error {}

export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new DeadlineExceeded(`${what}: no answer within ${ms} ms`));
      });
    }, ms);
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
