import type { ActionFunctionArgs } from "@remix-run/node";
import { updateSessionScopesJob } from "~/jobs/update-session-scopes.job.server";
import { acceptWebhook } from "~/jobs/webhook-intake.server";

export const action = ({ request }: ActionFunctionArgs) => acceptWebhook(request, updateSessionScopesJob);
