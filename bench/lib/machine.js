/** What the numbers were measured on: results from different machines are not comparable. */
import os from 'node:os';

export function machineInfo(date = new Date()) {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    // Other work on the machine moves the numbers: a 1-minute load above the core count means noise.
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: date.toISOString(),
  };
}

export function describeMachine(machine) {
  return `Node ${machine.node} (V8 ${machine.v8}), ${machine.cpu}, ${machine.cores} cores, ${machine.platform} ${machine.arch}, load ${machine.loadAverage?.[0] ?? '?'} at start, ${machine.date.slice(0, 10)}`;
}
