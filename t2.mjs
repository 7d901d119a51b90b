import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create(process.argv[2]);
const r1 = process.memoryUsage();
console.log('after open rss', (r1.rss/1e6).toFixed(0), 'external', (r1.external/1e6).toFixed(0));
console.log((await db.query('show shared_buffers')).rows);
