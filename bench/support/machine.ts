import os from "node:os";
import { Redis } from "ioredis";
import { serverSettings, serverVersion } from "./postgres";

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  kernel: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  loadAverage: [number, number, number];
}

async function redisVersion(redisUrl: string): Promise<string> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info("server");
    return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  } finally {
    redis.disconnect();
  }
}

export async function describeMachine(postgresUrl: string, redisUrl: string): Promise<MachineInfo> {
  const [postgres, postgresSettings, redis] = await Promise.all([
    serverVersion(postgresUrl),
    serverSettings(postgresUrl, ["max_connections", "shared_buffers", "synchronous_commit", "fsync"]),
    redisVersion(redisUrl),
  ]);
  const [l1, l5, l15] = os.loadavg();
  return {
    nproc: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: postgres.split(" on ")[0],
    postgresSettings,
    redis,
    loadAverage: [l1, l5, l15].map((v) => Math.round(v * 100) / 100) as [number, number, number],
  };
}
