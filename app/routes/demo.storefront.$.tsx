import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleStorefrontRequest } from "../../server/demo/storefront-routes";

// /demo/storefront/*: pages, extension assets, the app proxy stand-in and the demo customer switch
// (server/demo/storefront-routes.ts). DEMO=1 only; 404 otherwise.
export const loader = ({ request, params }: LoaderFunctionArgs) => handleStorefrontRequest(request, params["*"] ?? "");
export const action = ({ request, params }: ActionFunctionArgs) => handleStorefrontRequest(request, params["*"] ?? "");
