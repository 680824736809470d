// Warm reads, run by scripts/bench_dynamodb.ts in one `node` process:
// `node warm.mjs <key> <rounds> <reads> <name>=<bundle.mjs>…` imports every bundle, warms each up, then runs `rounds`
// rounds; a round times `reads` sequential `get(key)` calls of each contender in turn (the order rotating each round)
// and prints one JSON line per round: the mean milliseconds per read of each contender.
import process from "node:process";
import { pathToFileURL } from "node:url";

const [key, rounds, reads, ...specs] = process.argv.slice(2);
const contenders = [];
for (const spec of specs) {
  const at = spec.indexOf("=");
  const module = await import(pathToFileURL(spec.slice(at + 1)).href);
  contenders.push({ name: spec.slice(0, at), get: module.get });
}

async function time(get, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (typeof (await get(key)) !== "string") throw new Error(`no value under ${key}`);
  }
  return (performance.now() - started) / count;
}

for (const { get } of contenders) await time(get, Math.max(20, Number(reads)));
for (let round = 0; round < Number(rounds); round++) {
  const result = {};
  for (let i = 0; i < contenders.length; i++) {
    const { name, get } = contenders[(round + i) % contenders.length];
    result[name] = await time(get, Number(reads));
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
