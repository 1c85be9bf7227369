// clerk-docs docs/guides/development/custom-flows/authentication/embedded-email-links.mdx
// (clerk/clerk-docs a7cebf585), its Next.js page app/accept-token/page.tsx as written. Not held to the
// project's lint: it is Clerk's code.
'use client'
import { useUser, useSignIn } from '@clerk/nextjs'
import { useEffect, useState } from 'react'
import { useRouter, useSearchParams } from 'next/navigation'

export default function Page() {
  const [loading, setLoading] = useState<boolean>(false)
  const { signIn } = useSignIn()
  const { isSignedIn, user } = useUser()
  const router = useRouter()

  // Get the token from the query params
  const signInToken = useSearchParams().get('token')

  useEffect(() => {
    if (!signInToken || user || loading) {
      return
    }

    const createSignIn = async () => {
      setLoading(true)
      try {
        // Create the `SignIn` with the token
        const { error } = await signIn.ticket({
          ticket: signInToken as string,
        })
        if (error) {
          console.error(JSON.stringify(error, null, 2))
          return
        }

        // If the sign-in was successful, set the session to active
        if (signIn.status === 'complete') {
          signIn.finalize({
            navigate: async ({ session, decorateUrl }) => {
              if (session?.currentTask) {
                console.log(session?.currentTask)
                return
              }

              const url = decorateUrl('/')
              if (url.startsWith('http')) {
                window.location.href = url
              } else {
                router.push(url)
              }
            },
          })
        } else {
          // Check why the sign-in is not complete
          console.error(JSON.stringify(signIn, null, 2))
        }
      } catch (err) {
        // See https://clerk.com/docs/guides/development/custom-flows/error-handling
        console.error('Error:', JSON.stringify(err, null, 2))
      } finally {
        setLoading(false)
      }
    }

    createSignIn()
  }, [signIn, signInToken, user, loading, router])

  if (!signInToken) {
    return <div>No token provided.</div>
  }

  if (!isSignedIn) {
    // Handle signed out state
    return null
  }

  if (loading) {
    return <div>Signing you in...</div>
  }

  return <div>Signed in as {user.id}</div>
}
