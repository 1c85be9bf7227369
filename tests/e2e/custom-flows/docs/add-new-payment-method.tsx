// clerk-docs docs/_partials/billing/add-new-payment-method.mdx (the guide
// docs/guides/development/custom-flows/billing/add-new-payment-method.mdx; clerk/clerk-docs
// a7cebf5), its Next.js <UserBillingPage /> and <AddPaymentMethodForm /> as written, but for the
// organization (`for="organization"`, `organization.addPaymentSource` from `useOrganization()`
// instead of the user's: the app's plans are organizations'). Not held to the project's lint: it
// is Clerk's code. Note: clerk-js 6.40 names that method `addPaymentMethod`; the docs'
// `addPaymentSource` is not there. Offline the form never becomes ready (Stripe's), so the call is
// never reached.
'use client'

import { ClerkLoaded, useOrganization } from '@clerk/nextjs'
import { PaymentElementProvider, usePaymentElement, PaymentElement } from '@clerk/nextjs/experimental'
import { useState } from 'react'

export default function Page() {
  return (
    <div>
      <h1>Billing Settings</h1>

      <ClerkLoaded>
        <PaymentElementProvider for="organization">
          <AddPaymentMethodForm />
        </PaymentElementProvider>
      </ClerkLoaded>
    </div>
  )
}

export function AddPaymentMethodForm() {
  const { organization } = useOrganization()
  const { submit, isFormReady } = usePaymentElement()
  const [isSubmitting, setIsSubmitting] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const handleAddPaymentMethod = async (e: React.FormEvent) => {
    e.preventDefault()
    if (!isFormReady || !organization) {
      return
    }

    setError(null)
    setIsSubmitting(true)

    try {
      // 1. Submit the form to the payment provider to get a payment token
      const { data, error } = await submit()

      // Usually a validation error from stripe that you can ignore.
      if (error) {
        setIsSubmitting(false)
        return
      }

      // 2. Use the token to add the payment source to the organization
      await organization.addPaymentSource(data)

      // 3. Handle success (e.g., show a confirmation, clear the form)
      alert('Payment method added successfully!')
    } catch (err: any) {
      setError(err.message || 'An unexpected error occurred.')
    } finally {
      setIsSubmitting(false)
    }
  }

  return (
    <form onSubmit={handleAddPaymentMethod}>
      <h3>Add a new payment method</h3>
      <PaymentElement />
      <button type="submit" disabled={!isFormReady || isSubmitting}>
        {isSubmitting ? 'Saving...' : 'Save Card'}
      </button>
      {error && <p style={{ color: 'red' }}>{error}</p>}
    </form>
  )
}
