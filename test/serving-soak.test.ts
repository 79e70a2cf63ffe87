// Soak on loopback (issue 14): the amplification body (1000 sites, two dates ten years apart: 3.66 M site-days in
// 119 KB) sent 240 times, 8 at a time, to a real `startServer` with the shipped limits, interleaved with valid
// requests. Each is refused 413 quickly, valid requests keep answering, and RSS stays bounded.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../serving/node/server.ts";
import { demoSite, makeModelRoot } from "./serving-fixture.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 1024 * 1024;
const fx = await makeModelRoot({ hidden: 16, seed: 8, versions: ["1"] });
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    models: fx.modelsDir,
    port: 0,
    host: "127.0.0.1",
    provider: "cpu",
    threads: 1,
    print: () => {},
  });
});
afterAll(async () => {
  await server?.close();
  await fx.cleanup();
});

function amplificationBody(): string {
  const { start: _start, ...site } = demoSite(2);
  const drivers = Object.fromEntries(Object.entries(site.drivers).map(([k, v]) => [k, v.slice(0, 2)]));
  const sites = Array.from({ length: 1000 }, (_, i) => ({
    ...site,
    id: `s${i}`,
    dates: ["2000-01-01", "2010-01-07"],
    drivers,
  }));
  return JSON.stringify({ sites });
}

describe("soak with the amplification body (loopback)", () => {
  it("240 amplification bodies: all 413 within seconds, valid requests answer, RSS bounded", async () => {
    const amp = amplificationBody();
    expect(amp.length).toBeGreaterThan(100_000);
    const valid = JSON.stringify({ sites: [demoSite(365), demoSite(90)] });
    const post = async (body: string) => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v1/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - t0 };
    };
    const round = async (n: number) => {
      const out: { status: number; ms: number }[] = [];
      for (let i = 0; i < n; i += 8)
        out.push(...(await Promise.all(Array.from({ length: 8 }, () => post(amp)))), await post(valid));
      return out;
    };
    await round(24); // warm-up: JIT, buffers, sessions
    gc();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const answers = await round(240);
    const seconds = (performance.now() - t0) / 1000;
    gc();
    const grownMb = (process.memoryUsage().rss - rss0) / MB;
    const amps = answers.filter((_, i) => i % 9 !== 8);
    const valids = answers.filter((_, i) => i % 9 === 8);
    console.log(
      `soak: ${amps.length} amplification bodies in ${seconds.toFixed(1)} s, slowest ${Math.max(...amps.map((a) => a.ms)).toFixed(0)} ms; ` +
        `valid p-max ${Math.max(...valids.map((a) => a.ms)).toFixed(0)} ms; RSS ${grownMb >= 0 ? "+" : ""}${grownMb.toFixed(1)} MB`,
    );
    expect(amps.every((a) => a.status === 413)).toBe(true);
    expect(valids.every((a) => a.status === 200)).toBe(true);
    expect(seconds).toBeLessThan(60);
    expect(grownMb).toBeLessThan(64);
  }, 120_000);
});
