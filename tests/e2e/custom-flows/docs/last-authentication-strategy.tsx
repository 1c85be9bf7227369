// clerk-docs docs/guides/development/custom-flows/authentication/last-authentication-strategy.mdx
// (clerk/clerk-docs ae7411b23), its Next.js page app/sign-in/[[...sign-in]]/page.tsx as written. Not
// held to the project's lint: it is Clerk's code.
'use client'

import * as React from 'react'
import { useSignIn, useClerk } from '@clerk/nextjs'
import type { OAuthStrategy } from '@clerk/nextjs/types'

export default function Page() {
  const { signIn } = useSignIn()
  const { client } = useClerk()

  const lastStrategy = client?.lastAuthenticationStrategy

  const signInWith = (strategy: OAuthStrategy) => {
    return signIn.sso({
      strategy,
      redirectCallbackUrl: '/sign-in/sso-callback',
      redirectUrl: '/',
    })
  }

  const providers = [
    { strategy: 'oauth_google' as const, name: 'Google' },
    { strategy: 'oauth_github' as const, name: 'GitHub' },
  ]

  return (
    <div>
      <h1>Sign in</h1>
      {providers.map((provider) => (
        <button key={provider.strategy} onClick={() => signInWith(provider.strategy)}>
          Sign in with {provider.name}
          {lastStrategy === provider.strategy && <span> (Last used)</span>}
        </button>
      ))}
    </div>
  )
}
