import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { isDemoMode } from "~/services/admin-auth.server";

// Shopify opens the app at its URL with ?shop=…; everyone else is sent to the install form.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (isDemoMode()) throw redirect("/app");
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
}
