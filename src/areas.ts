// Wires the areas together where one takes part in another's work (the composition root).
// Imported once by every entry point: the HTTP app, the worker, the CLI and the test helpers.
import { registerCustomerLink } from './customers/links.ts';
import { eventsCustomerLink } from './events/customer-link.ts';

registerCustomerLink(eventsCustomerLink);
