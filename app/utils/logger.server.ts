import pino from "pino";
import { config } from "~/config.server";

// Structured logs. Secrets and personal data never go in: tokens, emails, names and addresses are
// redacted wherever they appear in a logged object.
export const logger = pino({
  level: config().NODE_ENV === "test" ? "silent" : config().LOG_LEVEL,
  base: { app: "loyalnest" },
  redact: {
    paths: [
      "accessToken", "*.accessToken", "token", "*.token", "secret", "*.secret", "password", "*.password",
      "email", "*.email", "phone", "*.phone", "firstName", "*.firstName", "lastName", "*.lastName",
      "address", "*.address", "headers.authorization", "*.headers.authorization",
    ],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
