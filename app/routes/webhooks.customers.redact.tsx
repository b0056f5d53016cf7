import type { ActionFunctionArgs } from "@remix-run/node";
import { redactCustomerJob } from "~/jobs/redact-customer.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, redactCustomerJob);
