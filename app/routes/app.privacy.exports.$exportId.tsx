import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/services/admin-auth.server";
import { downloadCustomerDataExport } from "~/services/privacy.server";

// GET /app/privacy/exports/:exportId — one customer data export as a JSON attachment. Only the
// shop's own exports; each download is audit-logged with the staff user.

const params = z.object({ exportId: z.string().min(1).max(64) });

export async function loader({ request, params: raw }: LoaderFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const parsed = params.safeParse(raw);
  const file = parsed.success ? await downloadCustomerDataExport(shop, parsed.data.exportId, actor) : null;
  if (!file) {
    return new Response(JSON.stringify({ error: { code: "export_not_found", message: "No such export for this shop" } }), {
      status: 404,
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
  }
  return new Response(file.body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      // Personal data: no shared or browser cache may keep a copy.
      "Cache-Control": "no-store",
    },
  });
}
