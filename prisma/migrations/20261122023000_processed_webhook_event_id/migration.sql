-- CreateIndex
CREATE UNIQUE INDEX "ProcessedWebhook_shop_topic_eventId_key" ON "ProcessedWebhook"("shop", "topic", "eventId");
