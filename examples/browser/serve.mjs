#!/usr/bin/env node
/**
 * A tiny static file server for the browser example. It serves the repository root (so the page can import
 * ../../dist/browser.js and fetch ../../data/faithful.csv) on 127.0.0.1 only.
 *
 *   npm run build                      # once: creates dist/browser.js
 *   node examples/browser/serve.mjs    # prints the URL to open; `node examples/browser/serve.mjs 8080` for a fixed port
 *
 * The first line printed is the page's URL (the end-to-end test reads it).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const port = Number(process.argv[2] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `usage: node examples/browser/serve.mjs [port]   (port must be an integer 0–65535; got ${process.argv[2]})`,
  );
  process.exit(2);
}

// Module scripts are refused unless served with a JavaScript MIME type.
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const server = createServer(async (req, res) => {
  const send = (status, text) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(400, 'bad request');
  }
  if (pathname === '/') {
    res.writeHead(302, { location: '/examples/browser/' });
    return res.end();
  }
  let file = resolve(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      if (!pathname.endsWith('/')) {
        res.writeHead(301, { location: `${pathname}/` });
        return res.end();
      }
      file = join(file, 'index.html');
      info = await stat(file);
    }
    res.writeHead(200, {
      'content-type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  } catch {
    send(404, `not found: ${pathname}`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`http://127.0.0.1:${actual}/examples/browser/`);
  console.log(`serving ${root} on 127.0.0.1 only; Ctrl+C stops (run \`npm run build\` first if dist/ is missing)`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
