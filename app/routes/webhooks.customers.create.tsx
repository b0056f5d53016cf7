import type { ActionFunctionArgs } from "@remix-run/node";
import { enrollCustomerJob } from "~/jobs/enroll-customer.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, enrollCustomerJob);
