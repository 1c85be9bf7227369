// What the documented Next.js flows take from next/navigation, outside Next: a router that
// navigates the page, and the page's query.
export function useRouter() {
  return { push: (url: string) => window.location.assign(url) };
}

export function useSearchParams() {
  return new URLSearchParams(window.location.search);
}
