import type { SocialProvider } from "../../../clerk/instance-settings";
import { presetAccounts, providerName } from "../domain/social-providers";
import { escapeHtml as esc } from "../http/html";
import type { OAuthFlowRecord } from "../store/records";

// The stand-in for a social provider's sign-in and consent page, served by the emulator where the
// provider's would be: pick one of the provider's offline accounts or type another, or cancel.
// It says plainly that it is not the provider. Inline styles only, no scripts (the emulator serves
// its pages under a policy that allows nothing else, and the app's proxy keeps that policy).

export function renderStandInPage(
  flow: OAuthFlowRecord,
  applicationName: string,
  problem?: string,
): string {
  const name = providerName(flow.provider);
  const state = `<input type="hidden" name="state" value="${esc(flow.id)}">`;
  const accounts = presetAccounts(flow.provider)
    .map((a, i) => {
      const who = [a.firstName, a.lastName].filter(Boolean).join(" ") || a.emailAddress;
      return `<li><button type="submit" name="account" value="${i}">Continue as ${esc(who)} (${esc(a.emailAddress)})</button></li>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with ${esc(name)} · Clerk emulator stand-in</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<p><strong>Clerk emulator</strong> · stand-in for ${esc(name)}</p>
<p>This page is not ${esc(name)}. The Clerk emulator serves it so that signing in with ${esc(name)}
works offline: no ${esc(name)} account, password or network is involved, and
${esc(applicationName)} receives the account you choose here.</p>
</header>
<hr>
<main>
<h1>Sign in with ${esc(name)}</h1>
<p>to continue to <strong>${esc(applicationName)}</strong>, which will receive your name, email
address and ${esc(name)} account id (scopes: <code>${esc(flow.scopes)}</code>).</p>
${problem ? `<p role="alert"><strong>${esc(problem)}</strong></p>` : ""}
<h2>Choose an account</h2>
<form method="post">
${state}
<ul>
${accounts}
</ul>
</form>
<h2>Use another account</h2>
<form method="post">
${state}
<input type="hidden" name="account" value="typed">
<p><label>Email address <input type="email" name="email_address" required autocomplete="off"></label></p>
<p><label>First name <input name="first_name" autocomplete="off"></label></p>
<p><label>Last name <input name="last_name" autocomplete="off"></label></p>
${usernameField(flow.provider)}
<p><label><input type="checkbox" name="email_verified" value="true" checked>
${esc(name)} has verified this email address</label></p>
<p><button type="submit">Continue with this account</button></p>
</form>
<hr>
<form method="post">
${state}
<input type="hidden" name="account" value="cancel">
<p><button type="submit">Cancel and return to ${esc(applicationName)}</button></p>
</form>
</main>
</body>
</html>`;
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background: #f6f7f9; margin: 0; }
header { background: #fff4ce; border-bottom: 1px solid #e8d48b; padding: 0.75rem 1.5rem; }
header p { margin: 0.25rem 0; max-width: 40rem; }
hr { display: none; }
main { max-width: 28rem; margin: 2rem auto; background: #fff; border: 1px solid #d8dee4;
  border-radius: 10px; padding: 1.5rem 2rem; }
h1 { font-size: 1.35rem; margin-top: 0; } h2 { font-size: 1rem; margin-top: 1.5rem; }
ul { list-style: none; padding: 0; } li { margin: 0.5rem 0; }
button { font: inherit; width: 100%; padding: 0.55rem 0.75rem; border-radius: 6px;
  border: 1px solid #d0d7de; background: #fff; cursor: pointer; text-align: left; }
button:hover { background: #f3f4f6; }
form:last-of-type button { text-align: center; color: #57606a; }
label { display: block; } input:not([type]), input[type=email] { display: block; width: 100%;
  box-sizing: border-box; padding: 0.4rem 0.5rem; border: 1px solid #d0d7de; border-radius: 6px; }
[role=alert] { color: #b42318; }`;

// GitHub accounts have a login name, which Clerk takes as the username.
const usernameField = (provider: SocialProvider) =>
  provider === "github"
    ? '<p><label>Username <input name="username" autocomplete="off"></label></p>'
    : "";
