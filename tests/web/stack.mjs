// Starts a real Gridwork stack (geofence, location, workorder, inspection, analytics, gateway)
// on free loopback ports with throwaway data directories, for browser tests and local trials.
//
//   import { startStack } from './stack.mjs';
//   const stack = await startStack({ binDir, webRoot });   // resolves once every service serves
//   stack.httpUrl        // http://127.0.0.1:<port> (the gateway: /api, SSE, the web app)
//   stack.adminPassword  // the bootstrap admin's password (user "admin")
//   await stack.stop();  // SIGTERM to each process it started (by pid), then removes the dirs
//
// Run directly (`node tests/web/stack.mjs BIN_DIR WEB_ROOT`) it starts a stack, seeds the demo
// data (seed.mjs) and prints where to look until Ctrl-C.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

/** A port the kernel just handed out and released (another process may still take it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the six services. Options: binDir (with gridwork-* binaries), webRoot (served by the
 * gateway), keepData (leave the temp dir), log (function for progress lines).
 */
export async function startStack({ binDir, webRoot, keepData = false, log = () => {} }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwork-web-'));
  const principalKey = path.join(tmp, 'principal.key');
  const tokenKey = path.join(tmp, 'token.key');
  fs.writeFileSync(principalKey, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
  fs.writeFileSync(tokenKey, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
  const adminPassword = 'Adm1n-' + crypto.randomBytes(6).toString('hex');

  const names = ['geofence', 'location', 'workorder', 'inspection', 'analytics', 'gateway'];
  const grpc = {};
  for (const n of names) grpc[n] = `127.0.0.1:${await freePort()}`;
  const httpPort = await freePort();
  const upstreams = (...ns) => ns.map((n) => `--${n}_addr=${grpc[n]}`);
  const extra = {
    geofence: upstreams('location'),
    location: upstreams('geofence'),
    workorder: upstreams('geofence'),
    inspection: upstreams('geofence', 'location', 'workorder'),
    analytics: upstreams('geofence', 'location', 'workorder', 'inspection'),
    gateway: [
      ...upstreams('geofence', 'location', 'workorder', 'inspection', 'analytics'),
      `--http_addr=127.0.0.1:${httpPort}`,
      `--token_key_file=${tokenKey}`,
      `--web_root=${webRoot}`,
      // Tests log in a dozen times; the default cost (210,000) is for production.
      '--pbkdf2_iterations=1000',
      // Seeding sends a few hundred writes in seconds.
      '--rate_limit_scale=100',
    ],
  };

  const procs = [];
  const stop = async () => {
    for (const p of procs.slice().reverse()) {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    }
    const deadline = Date.now() + 10000;
    for (const p of procs) {
      while (p.exitCode === null && p.signalCode === null && Date.now() < deadline) await sleep(50);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    if (!keepData) fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    for (const name of names) {
      const logFile = path.join(tmp, `${name}.log`);
      const fd = fs.openSync(logFile, 'a');
      const args = [
        `--grpc_addr=${grpc[name]}`,
        '--metrics_addr=127.0.0.1:0',
        `--data_dir=${path.join(tmp, name)}`,
        `--principal_key_file=${principalKey}`,
        '--sync=false',
        ...extra[name],
      ];
      const env = { ...process.env };
      if (name === 'gateway') env.GRIDWORK_ADMIN_PASSWORD = adminPassword;
      const p = spawn(path.join(binDir, `gridwork-${name}`), args, {
        env,
        stdio: ['ignore', fd, fd],
      });
      fs.closeSync(fd);
      procs.push(p);
      await waitServing(name, logFile, p);
      log(`${name} serving on ${grpc[name]}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    grpc,
    adminPassword,
    dataDir: tmp,
    pids: procs.map((p) => p.pid),
    stop,
  };
}

async function waitServing(name, logFile, proc) {
  const needle = `"msg":"${name} serving"`;
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) break;
    if (fs.readFileSync(logFile, 'utf8').includes(needle)) return;
    await sleep(100);
  }
  const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
  throw new Error(`${name} did not start (exit ${proc.exitCode}):\n${tail}`);
}

// Direct use: start, seed, print, wait for Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [binDir, webRoot] = process.argv.slice(2);
  if (!binDir || !webRoot) {
    console.error('usage: node tests/web/stack.mjs BIN_DIR WEB_ROOT');
    process.exit(2);
  }
  const { seedDemo } = await import('./seed.mjs');
  const stack = await startStack({ binDir, webRoot, log: console.log });
  let seeded;
  try {
    seeded = await seedDemo(stack, { binDir, log: console.log });
  } catch (e) {
    console.error(e);
    await stack.stop();
    process.exit(1);
  }
  console.log(`\nweb app: ${stack.httpUrl}/   admin / ${stack.adminPassword}`);
  for (const u of seeded.users) console.log(`  ${u.username} / ${u.password}  (${u.role})`);
  const bye = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
}
