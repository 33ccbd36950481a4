import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { httpJsonAdapter } from './adapters/http-json.ts';
import { tasks } from './simulator/cohort/tasks.ts';
import { runOpenModel, type Sample } from './simulator/load/open-model.ts';
import { constantSchedule } from './simulator/load/schedule.ts';
import { adapterLoadTarget, cohortInputs } from './simulator/load/target.ts';
const S = Number(process.env.S), P = Number(process.env.P), RATE = Number(process.env.R), DUR = Number(process.env.D);
const code = `
const http = require('node:http');
const S = ${S}, P = ${P};
const epoch = performance.now();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const phase = (performance.now() - epoch) % P;
    let body; try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    const reply = () => { const out = JSON.stringify({ score: 0.1 }); res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out); };
    if (phase < S) setTimeout(reply, S - phase); else reply();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;
const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
const [chunk] = await once(child.stdout!, 'data');
const url = `http://127.0.0.1:${String(chunk).trim()}/predict`;
const target = adapterLoadTarget(httpJsonAdapter({ url }), cohortInputs(tasks.sepsis, { seed: 1 }, 50), url);
for (let rep = 0; rep < 2; rep++) {
  const samples: Sample[] = [];
  const res = await runOpenModel({ schedule: constantSchedule(RATE, DUR), bodies: target.bodies, send: target.send, timeoutMs: 5000, maxInFlight: 10000, onSample: (s) => samples.push(s) }).done;
  const l = res.latency.summary()!;
  console.log(`frac ${(samples.filter(s => s.latencyMs > S/2).length / samples.length).toFixed(4)} (exp ${S/2/P}) p99 ${l.p99} (exp ${S-0.01*P}) p50 ${l.p50} max ${l.max} sched p99 ${res.schedulingError.summary()!.p99}`);
}
child.stdin!.end();
