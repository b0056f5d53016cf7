import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShopJob } from "~/jobs/redact-shop.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, redactShopJob);
