// Backend API requests counted by method and route, since start or the last reset: what an app
// costs in Clerk calls (each is a billed, rate-limited request on Clerk). In memory only.
export class BackendApiStats {
  private counts = new Map<string, number>();

  constructor(private since: number) {}

  count(method: string, route: string): void {
    const key = `${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  reset(now: number): void {
    this.counts = new Map();
    this.since = now;
  }

  toJSON() {
    const routes = [...this.counts]
      .map(([key, count]) => {
        const [method, route] = key.split(" ") as [string, string];
        return { method, route, count };
      })
      .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
    return {
      since: this.since,
      total: routes.reduce((sum, r) => sum + r.count, 0),
      routes,
    };
  }
}
