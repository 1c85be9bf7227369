// clerk-docs docs/guides/development/custom-flows/billing/checkout-existing-payment-method.mdx
// (clerk/clerk-docs a7cebf5), app/checkout/page.tsx as written, but for the organization (the
// app's plans are organizations': `for="organization"` twice) and with a real plan id for
// "cplan_123" (PLAN_ID, set by the test). Not held to the project's lint: it is Clerk's code.
'use client'
import { Show, ClerkLoaded } from '@clerk/nextjs'
import { useRouter } from 'next/navigation'
import { CheckoutProvider, useCheckout, usePaymentMethods } from '@clerk/nextjs/experimental'
import { useMemo, useState } from 'react'

declare const PLAN_ID: string

export default function CheckoutPage() {
  return (
    // Update with your Plan ID and Plan Period
    <CheckoutProvider for="organization" planId={PLAN_ID} planPeriod="month">
      <ClerkLoaded>
        <Show when="signed-in">
          <CustomCheckout />
        </Show>
      </ClerkLoaded>
    </CheckoutProvider>
  )
}

function CustomCheckout() {
  const { checkout } = useCheckout()

  if (checkout.status === 'needs_initialization') {
    return <CheckoutInitialization />
  }

  return (
    <div className="checkout-container">
      <CheckoutSummary />
      <PaymentSection />
    </div>
  )
}

function CheckoutInitialization() {
  const { checkout, fetchStatus } = useCheckout()

  if (checkout.status !== 'needs_initialization') {
    return null
  }

  return (
    <button onClick={() => checkout.start()} disabled={fetchStatus === 'fetching'}>
      {fetchStatus === 'fetching' ? 'Initializing...' : 'Start Checkout'}
    </button>
  )
}

function PaymentSection() {
  const { checkout, errors, fetchStatus } = useCheckout()
  const { data, isLoading } = usePaymentMethods({
    for: 'organization',
    pageSize: 20,
  })

  const [paymentMethodId, setPaymentMethodId] = useState<string | null>(null)

  const router = useRouter()

  const defaultMethod = useMemo(() => data?.find((method) => method.isDefault), [data])

  const submitSelectedMethod = async () => {
    const selectedPaymentMethodId = paymentMethodId || defaultMethod?.id
    if (fetchStatus === 'fetching' || !selectedPaymentMethodId) return

    try {
      // Confirm checkout with payment method
      const { error } = await checkout.confirm({ paymentMethodId: selectedPaymentMethodId })
      if (error) {
        console.error(JSON.stringify(error, null, 2))
        return
      }
      // Complete checkout and redirect
      await checkout.finalize({
        navigate: ({ decorateUrl }) => {
          const url = decorateUrl('/')
          if (url.startsWith('http')) {
            window.location.href = url
          } else {
            router.push(url)
          }
        },
      })
    } catch (error) {
      console.error('Payment failed:', error)
    }
  }

  if (isLoading) {
    return <div>Loading...</div>
  }

  return (
    <>
      <select
        defaultValue={defaultMethod?.id}
        onChange={(e) => {
          const methodId = e.target.value
          const method = data?.find((method) => method.id === methodId)
          if (method) {
            setPaymentMethodId(method.id)
          }
        }}
      >
        {data?.map((method) => (
          <option key={method.id} value={method.id}>
            **** **** **** {method.last4} {method.cardType}
          </option>
        ))}
      </select>

      {errors.global && (
        <ul>
          {errors.global.map((error, index) => (
            <li key={index}>{error.longMessage || error.message}</li>
          ))}
        </ul>
      )}

      <button type="button" disabled={fetchStatus === 'fetching'} onClick={submitSelectedMethod}>
        {fetchStatus === 'fetching' ? 'Processing...' : 'Complete Purchase'}
      </button>
    </>
  )
}

function CheckoutSummary() {
  const { checkout } = useCheckout()

  if (!checkout.plan) {
    return null
  }

  return (
    <div>
      <h2>Order Summary</h2>
      <span>{checkout.plan.name}</span>
      <span>
        {checkout.totals.totalDueNow.currencySymbol} {checkout.totals.totalDueNow.amountFormatted}
      </span>
    </div>
  )
}
