import { BlockStack, Box, Text } from "@shopify/polaris";

/** The inside of a card that has nothing to list yet: a heading and one line of help. */
export function CardEmptyState({ heading, body }: { heading: string; body: string }) {
  return (
    <Box padding="400">
      <BlockStack gap="100">
        <Text as="h2" variant="headingMd">{heading}</Text>
        <Text as="p" tone="subdued">{body}</Text>
      </BlockStack>
    </Box>
  );
}
