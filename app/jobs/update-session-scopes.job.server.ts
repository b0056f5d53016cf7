import { z } from "zod";
import { TerminalJobError } from "./errors";
import { syncGrantedScopes } from "~/services/shop-lifecycle.server";
import { defineWebhookJob } from "./webhook-job.server";

const scopesUpdatePayload = z.object({ current: z.array(z.string()) });

export const updateSessionScopesJob = defineWebhookJob({
  name: "update-session-scopes",
  handler: async ({ shop, payload }) => {
    const parsed = scopesUpdatePayload.safeParse(payload);
    if (!parsed.success) throw new TerminalJobError(`app/scopes_update payload: ${parsed.error.message}`);
    await syncGrantedScopes(shop, parsed.data.current);
  },
});
