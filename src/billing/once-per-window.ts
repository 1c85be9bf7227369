// At most one run of `ask` per key in any `windowMs`: a caller that comes within the window of
// the last run gets that run's answer (still in flight, or settled) instead of running it again.
// `ask` should settle with a value: a rejection would be every caller's in that window.
// Held in this process's memory; a window's entries are dropped as the next asks come, so the
// map holds no more keys than were asked about within one window.
export function oncePerWindow<T>(
  windowMs: number,
  now: () => number = Date.now,
): (key: string, ask: () => Promise<T>) => Promise<T> {
  const asked = new Map<string, { until: number; answer: Promise<T> }>();
  return (key, ask) => {
    const t = now();
    const last = asked.get(key);
    if (last && last.until > t) return last.answer;
    // Entries are in the order they were asked, each for the same length: the expired come first.
    for (const [k, entry] of asked) {
      if (entry.until > t) break;
      asked.delete(k);
    }
    const answer = ask();
    asked.set(key, { until: t + windowMs, answer });
    return answer;
  };
}
