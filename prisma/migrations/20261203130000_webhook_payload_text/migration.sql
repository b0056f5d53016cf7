-- A webhook delivery's body is kept as the text Shopify signed instead of jsonb. The job parses it
-- once (exactly, 18-digit ids included) and nothing queries inside it on the hot path: converting
-- ≈ 5–8 KB of JSON to jsonb on insert and back to text on read cost ≈ 140 µs and ≈ 30 µs of backend
-- CPU per order, against ≈ 5 µs and ≈ 15 µs as text (bench/RESULTS.md, "Session 4"). A body
-- that is not JSON is now stored and fails its job with a clear error instead of failing the
-- delivery's acknowledgement. Compression stays LZ4 where the server has it.
ALTER TABLE "ProcessedWebhook" ALTER COLUMN "payload" SET DATA TYPE TEXT USING "payload"::text;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "ProcessedWebhook" ALTER COLUMN "payload" SET COMPRESSION lz4;
  END IF;
END $$;
