import type { ActionFunctionArgs } from "@remix-run/node";
import { exportCustomerDataJob } from "~/jobs/export-customer-data.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, exportCustomerDataJob);
