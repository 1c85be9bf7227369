// What the documented Next.js flows take from next/navigation, outside Next: a router that
// navigates the page.
export function useRouter() {
  return { push: (url: string) => window.location.assign(url) };
}
