// Moved to app/domain/customer.ts (payloads are parsed in the domain); kept for existing imports.
export { customerFactsFromPayload, guestEmailHash, marketingStateFromPayload } from "~/domain/customer";
