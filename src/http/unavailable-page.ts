// What a page answers when a service it needs (the database, Clerk) cannot answer now: a 503 with
// Retry-After and this small document, the same whether the proxy (src/auth/gates/) or the server's
// front door (scripts/serve.ts) gives it. Self-contained (no script, no stylesheet) because the
// app around it may be what is failing.

export const RETRY_AFTER_SECONDS = 5;

export const UNAVAILABLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Temporarily unavailable · Acme Projects</title>
<style>
body{margin:0;min-height:100dvh;display:grid;place-items:center;background:#f8fafc;color:#0f172a;font:16px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:32rem;padding:2rem}
p.code{margin:0;color:#2f43c4;font-size:.875rem;font-weight:500}
h1{margin:.25rem 0 .75rem;font-size:1.5rem;font-weight:600}
p{color:#475569}
a{display:inline-block;margin-top:.5rem;padding:.5rem 1rem;border-radius:.375rem;background:#3b55e6;color:#fff;font-weight:500;text-decoration:none}
</style>
</head>
<body>
<main>
<p class="code">503</p>
<h1>Acme Projects is temporarily unavailable</h1>
<p>A service this page needs is not answering right now. Nothing you did caused it, and nothing was lost. Try again in a few seconds.</p>
<a href="">Try again</a>
</main>
</body>
</html>
`;
