/** Meta's standard events (Meta Pixel reference, "Standard events"). */
export const STANDARD_EVENTS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'AddPaymentInfo', description: 'Payment information added during checkout.' },
  { name: 'AddToCart', description: 'A product added to the shopping cart.' },
  { name: 'AddToWishlist', description: 'A product added to a wishlist.' },
  { name: 'CompleteRegistration', description: 'A registration form completed.' },
  { name: 'Contact', description: 'A person contacted the business (phone, SMS, email, chat…).' },
  { name: 'CustomizeProduct', description: 'A product customized through a configuration tool.' },
  { name: 'Donate', description: 'A donation made.' },
  { name: 'FindLocation', description: 'A location of the business searched for.' },
  { name: 'InitiateCheckout', description: 'The checkout process started.' },
  { name: 'Lead', description: 'A sign-up or form that expresses interest was submitted.' },
  { name: 'PageView', description: 'A page viewed.' },
  { name: 'Purchase', description: 'A purchase completed (value and currency required).' },
  { name: 'Schedule', description: 'An appointment booked.' },
  { name: 'Search', description: 'A search performed.' },
  { name: 'StartTrial', description: 'A free trial started.' },
  { name: 'SubmitApplication', description: 'An application submitted.' },
  { name: 'Subscribe', description: 'A paid subscription started.' },
  { name: 'ViewContent', description: 'A page of interest (product, landing page) viewed.' },
];

export const STANDARD_EVENT_NAMES = new Set(STANDARD_EVENTS.map((e) => e.name));
