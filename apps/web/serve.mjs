// Serves the built page (node serve.mjs [port]); `pnpm web` builds first.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('./dist/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };

export const serve = (port = 0) =>
  new Promise((resolve) => {
    const server = createServer(async (req, res) => {
      const path = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/\/$/, '/index.html')));
      if (!path.startsWith(root)) return res.writeHead(403).end();
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve(Number(process.argv[2] ?? process.env.PORT ?? 5173));
  console.log(`quadrix demo on http://127.0.0.1:${server.address().port}/`);
}
