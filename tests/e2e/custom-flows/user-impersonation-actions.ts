// The user-impersonation flow's Server Action ('./_actions'), outside Next: the page posts its
// arguments to GENERATE_ACTOR_TOKEN_URL, where the test runs the docs' action (its permission
// check, then Clerk's Backend API `POST /v1/actor_tokens`) and answers what the action returns.
declare const GENERATE_ACTOR_TOKEN_URL: string;

export async function generateActorToken(
  actorId: string,
  userId: string,
): Promise<{ ok: boolean; message?: string; token?: string }> {
  const res = await fetch(GENERATE_ACTOR_TOKEN_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ actorId, userId }),
  });
  return res.json();
}
