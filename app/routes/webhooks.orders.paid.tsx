import type { ActionFunctionArgs } from "@remix-run/node";
import { earnPointsForOrderJob } from "~/jobs/earn-points-for-order.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, earnPointsForOrderJob);
