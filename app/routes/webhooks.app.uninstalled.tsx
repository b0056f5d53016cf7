import type { ActionFunctionArgs } from "@remix-run/node";
import { uninstallShopJob } from "~/jobs/uninstall-shop.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, uninstallShopJob);
