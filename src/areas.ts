// Wires the areas together where one takes part in another's work (the composition root).
// Imported once by every entry point: the HTTP app, the worker, the CLI and the test helpers.
import { registerCustomerLink } from './customers/links.ts';
import { commerceCustomerLink } from './commerce/customer-link.ts';
import { eventsCustomerLink } from './events/customer-link.ts';
import { metricsCustomerLink } from './events/metrics-link.ts';
import { analyticsCustomerLink } from './analytics/customer-link.ts';
import { segmentsCustomerLink } from './segments/customer-link.ts';
import { messagingCustomerLink } from './messaging/customer-link.ts';
import { campaignsCustomerLink } from './campaigns/customer-link.ts';
import { registerEventsHook } from './events/hooks.ts';
import { registerMembershipHook } from './segments/hooks.ts';
import { journeysEventsHook, journeysMembershipHook } from './journeys/listen.ts';
import { journeysCustomerLink } from './journeys/customer-link.ts';

registerCustomerLink(eventsCustomerLink);
// Before the behaviour metrics: they are recomputed from the orders and cart lines once moved.
registerCustomerLink(commerceCustomerLink);
registerCustomerLink(analyticsCustomerLink);
registerCustomerLink(segmentsCustomerLink);
registerCustomerLink(messagingCustomerLink);
registerCustomerLink(campaignsCustomerLink);
registerCustomerLink(journeysCustomerLink);
// Keep last: it rebuilds a customer's metrics from the rows the links above have just moved.
registerCustomerLink(metricsCustomerLink);

// Journeys hear of stored events and segment moves (their triggers, waits and goals).
registerEventsHook(journeysEventsHook);
registerMembershipHook(journeysMembershipHook);
