import { useNavigation, useRouteLoaderData } from "@remix-run/react";
import { Box, Text } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

// Toasts and page loading for the admin. Inside Shopify's admin they are App Bridge's own
// (`shopify.toast`, `shopify.loading`); the local demo has no App Bridge, so they are drawn here.

/** True inside the Shopify admin (App Bridge present), false in the local demo. */
export function useEmbedded(): boolean {
  const data = useRouteLoaderData<{ embedded?: boolean }>("routes/app");
  return data?.embedded ?? false;
}

interface ToastMessage {
  id: number;
  text: string;
  isError: boolean;
}

const TOAST_MS = 5000;

/** `show(text)` pops a toast; render `element` once on the page (it is empty when embedded). */
export function useToast(): { show: (text: string, options?: { isError?: boolean }) => void; element: ReactNode } {
  const embedded = useEmbedded();
  const [message, setMessage] = useState<ToastMessage | null>(null);
  const counter = useRef(0);
  const show = useCallback(
    (text: string, options: { isError?: boolean } = {}) => {
      if (embedded && typeof window !== "undefined" && window.shopify) {
        window.shopify.toast.show(text, { isError: options.isError ?? false, duration: TOAST_MS });
        return;
      }
      counter.current += 1;
      setMessage({ id: counter.current, text, isError: options.isError ?? false });
    },
    [embedded],
  );
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage((current) => (current?.id === message.id ? null : current)), TOAST_MS);
    return () => clearTimeout(timer);
  }, [message]);
  const element = (
    // The live region exists before the message does, so screen readers announce it.
    <div role="status" aria-live="polite" style={{ position: "fixed", insetInline: 0, bottom: "var(--p-space-800)", display: "flex", justifyContent: "center", pointerEvents: "none", zIndex: 520 }}>
      {message ? (
        <Box background={message.isError ? "bg-fill-critical" : "bg-fill-inverse"} paddingBlock="200" paddingInline="400" borderRadius="200" shadow="400">
          <Text as="span" tone="text-inverse" fontWeight="medium">{message.text}</Text>
        </Box>
      ) : null}
    </div>
  );
  return { show, element };
}

/** While Remix loads the next page: App Bridge's loading bar, or a thin bar of our own in the demo. */
export function NavigationProgress() {
  const embedded = useEmbedded();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const busy = navigation.state !== "idle";
  useEffect(() => {
    if (embedded && typeof window !== "undefined" && window.shopify) window.shopify.loading(busy);
  }, [embedded, busy]);
  if (embedded || !busy) return null;
  return (
    <div role="progressbar" aria-busy="true" aria-label={t("pageStates.loading")} style={{ position: "fixed", top: 0, insetInline: 0, height: 3, background: "var(--p-color-bg-fill-brand)", zIndex: 600 }} />
  );
}
