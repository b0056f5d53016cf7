import type { ActionFunctionArgs } from "@remix-run/node";
import { acceptWebhook } from "~/services/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, "earn-points-for-order");
