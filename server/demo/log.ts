// The demo talks to a person in a terminal: one short line per step, colour only on a TTY.

const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
const green = paint(32);
const yellow = paint(33);
const red = paint(31);

export const say = {
  step(label: string, detail = "") {
    console.log(`${green("✔")} ${label.padEnd(12)} ${detail}`.trimEnd());
  },
  info(text: string) {
    console.log(`  ${text}`);
  },
  warn(text: string) {
    console.warn(`${yellow("!")} ${text}`);
  },
  error(text: string) {
    console.error(`${red("✘")} ${text}`);
  },
  /** A line from a child process, tagged with its name. */
  child(name: string, line: string) {
    console.log(`${dim(`${name.padEnd(6)} │`)} ${line}`);
  },
};

// The web server and pino speak to log files; the demo shows a person the lines that matter.
const ASSET_REQUEST = /^(GET|HEAD) \/(build|favicon|assets)\b/;
const PINO_LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const PINO_NOISE = new Set(["level", "time", "pid", "hostname", "app", "msg", "v"]);

/** A child's output line as the person should see it, or null for noise. */
export function friendlyLine(line: string): string | null {
  if (line.trim() === "") return null;
  if (line.startsWith("[loyalnest] http")) return null; // the demo prints its own URLs
  if (ASSET_REQUEST.test(line)) return null;
  if (!line.startsWith("{")) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.msg !== "string") return line;
    const level = typeof entry.level === "number" ? PINO_LEVELS[entry.level] : undefined;
    const extra = Object.entries(entry)
      .filter(([key, value]) => !PINO_NOISE.has(key) && value !== null && typeof value !== "object")
      .map(([key, value]) => `${key}=${String(value)}`);
    const error = entry.err && typeof entry.err === "object" ? (entry.err as { message?: unknown }).message : undefined;
    return [level && level !== "info" ? `${level}:` : "", entry.msg, error ? `(${String(error)})` : "", extra.length ? dim(extra.join(" ")) : ""]
      .filter(Boolean)
      .join(" ");
  } catch {
    return line;
  }
}
