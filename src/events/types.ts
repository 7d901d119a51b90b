// The shape of an event once ingestion has validated, normalised and stored it: what the
// areas that react to events (commerce, behaviour metrics) receive.
export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type StoredEvent = {
  id: string;
  messageId: string;
  /** The known customer the event belongs to, or null for a visitor nobody has identified yet. */
  customerId: string | null;
  anonymousId: string | null;
  userId: string | null;
  type: EventType;
  /** The event name of a track call, the page or screen name of a page or screen call. */
  name: string | null;
  sessionId: string | null;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  /** When it happened, corrected for the sender's clock skew. */
  timestamp: Date;
  receivedAt: Date;
};

/** Segment's e-commerce event names (v2 spec) that Rapport acts on. */
export const ECOMMERCE_EVENTS = {
  productViewed: 'Product Viewed',
  productClicked: 'Product Clicked',
  productListViewed: 'Product List Viewed',
  productAdded: 'Product Added',
  productRemoved: 'Product Removed',
  productAddedToWishlist: 'Product Added to Wishlist',
  productRemovedFromWishlist: 'Product Removed from Wishlist',
  cartViewed: 'Cart Viewed',
  checkoutStarted: 'Checkout Started',
  checkoutStepCompleted: 'Checkout Step Completed',
  orderCompleted: 'Order Completed',
  orderRefunded: 'Order Refunded',
  orderCancelled: 'Order Cancelled',
} as const;
