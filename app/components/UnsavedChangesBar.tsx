import { SaveBar } from "@shopify/app-bridge-react";
import { Box, Button, InlineStack, Text } from "@shopify/polaris";
import { useEmbedded } from "./admin-feedback";

interface Props {
  id: string;
  open: boolean;
  saving: boolean;
  message: string;
  saveLabel: string;
  discardLabel: string;
  onSave: () => void;
  onDiscard: () => void;
}

/**
 * Unsaved changes: App Bridge's contextual save bar in the Shopify admin (it also stops the
 * merchant leaving with changes unsaved); in the local demo, which has no App Bridge, the same
 * two buttons in a bar pinned to the top of the page.
 */
export function UnsavedChangesBar({ id, open, saving, message, saveLabel, discardLabel, onSave, onDiscard }: Props) {
  const embedded = useEmbedded();
  if (embedded) {
    return (
      <SaveBar id={id} open={open}>
        <button variant="primary" onClick={onSave} loading={saving ? "" : undefined} disabled={saving}>{saveLabel}</button>
        <button onClick={onDiscard} disabled={saving}>{discardLabel}</button>
      </SaveBar>
    );
  }
  if (!open) return null;
  return (
    <div role="region" aria-label={message} style={{ position: "sticky", top: 0, zIndex: 510 }}>
      <Box background="bg-fill-inverse" paddingBlock="300" paddingInline="400">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <Text as="p" tone="text-inverse" fontWeight="semibold">{message}</Text>
          <InlineStack gap="200">
            <Button onClick={onDiscard} disabled={saving}>{discardLabel}</Button>
            <Button variant="primary" onClick={onSave} loading={saving}>{saveLabel}</Button>
          </InlineStack>
        </InlineStack>
      </Box>
    </div>
  );
}
