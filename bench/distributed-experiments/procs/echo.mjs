// Sandboxed processor used by the experiments: behaviour chosen by job.data.
//   { op: 'echo', v }           → returns v
//   { op: 'burn', ms, v }       → busy CPU for ms, then returns v
//   { op: 'bytes', n }          → returns a Buffer / base64 string of n bytes (job.data.as: 'buffer'|'base64'|'array')
//   { op: 'fail', message }     → throws
//   { op: 'merge' }             → parent: returns getChildrenValues() keys in order
//   { op: 'setkey', n, key, port } → SETs n bytes under key from this process (own ioredis client), returns { key }
import { Redis } from 'ioredis';

let client = null;
export default async function (job) {
  const d = job.data;
  switch (d.op) {
    case 'echo':
      return d.v ?? null;
    case 'burn': {
      const end = Date.now() + d.ms;
      let x = 0;
      while (Date.now() < end) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
      return d.v ?? x;
    }
    case 'bytes': {
      const b = Buffer.alloc(d.n);
      for (let i = 0; i < d.n; i++) b[i] = i & 255;
      if (d.as === 'base64') return b.toString('base64');
      if (d.as === 'array') return Array.from(b);
      return b;
    }
    case 'fail': {
      const e = new Error(d.message ?? 'failed on purpose');
      if (d.name) e.name = d.name; // e.g. 'UnrecoverableError'
      if (d.props) Object.assign(e, d.props);
      throw e;
    }
    case 'merge': {
      const vals = await job.getChildrenValues();
      return { keys: Object.keys(vals), values: Object.values(vals) };
    }
    case 'setkey': {
      if (!client) {
        client = new Redis({ host: '127.0.0.1', port: d.port });
        client.on('error', () => {}); // the experiment's Redis goes away when it ends
      }
      const b = Buffer.alloc(d.n, 7);
      await client.set(d.key, b, 'PX', 600_000);
      return { key: d.key, bytes: d.n };
    }
    default:
      throw new Error(`unknown op ${d.op}`);
  }
}
