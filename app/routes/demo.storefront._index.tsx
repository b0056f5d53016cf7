import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleStorefrontRequest } from "../../server/demo/storefront-routes";

// GET /demo/storefront: the demo shop's product page with the widget (DEMO=1 only; 404 otherwise).
export const loader = ({ request }: LoaderFunctionArgs) => handleStorefrontRequest(request, "");
