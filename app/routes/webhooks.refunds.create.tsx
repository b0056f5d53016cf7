import type { ActionFunctionArgs } from "@remix-run/node";
import { clawBackRefundJob } from "~/jobs/claw-back-refund.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, clawBackRefundJob);
