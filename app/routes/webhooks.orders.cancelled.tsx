import type { ActionFunctionArgs } from "@remix-run/node";
import { reverseCancelledOrderJob } from "~/jobs/reverse-cancelled-order.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, reverseCancelledOrderJob);
