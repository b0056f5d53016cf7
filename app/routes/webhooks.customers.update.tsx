import type { ActionFunctionArgs } from "@remix-run/node";
import { syncCustomerJob } from "~/jobs/sync-customer.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, syncCustomerJob);
