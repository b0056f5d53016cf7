import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateProxyRequest, proxyError } from "~/utils/app-proxy.server";

// Any other /apps/loyalnest/* path: 404 in the proxy's JSON shape (after the signature check, so
// unsigned probes learn nothing about which paths exist).

async function notFound(request: Request) {
  const auth = authenticateProxyRequest(request);
  if (!auth.ok) return auth.response;
  return proxyError(404, "not_found", "No such storefront endpoint");
}

export const loader = ({ request }: LoaderFunctionArgs) => notFound(request);
export const action = ({ request }: LoaderFunctionArgs) => notFound(request);
