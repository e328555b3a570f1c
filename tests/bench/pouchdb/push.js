// Loads RECORDS.json (an array of objects) into a local PouchDB (LevelDB in
// DIR), then times only the replication to http://127.0.0.1:PORT/bench.
// Prints "seconds N docs M".
//   node push.js PORT DIR RECORDS.json [BATCH_SIZE]
'use strict';
const fs = require('fs');
const path = require('path');
const PouchDB = require('pouchdb');

async function main() {
  const [port, dir, file, batch] = process.argv.slice(2);
  const records = JSON.parse(fs.readFileSync(file, 'utf8'));
  const local = new PouchDB(path.join(dir, 'local'));
  const docs = records.map((r) => Object.assign({ _id: r.id }, r.fields));
  for (let i = 0; i < docs.length; i += 1000)
    await local.bulkDocs(docs.slice(i, i + 1000));
  const remote = new PouchDB(`http://127.0.0.1:${port}/bench`);
  const opts = batch ? { batch_size: Number(batch) } : {};
  const t0 = process.hrtime.bigint();
  const res = await local.replicate.to(remote, opts);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const info = await remote.info();
  if (res.docs_written !== docs.length || info.doc_count !== docs.length)
    throw new Error(`replicated ${res.docs_written}, remote holds ${info.doc_count}`);
  console.log(`seconds ${s.toFixed(3)} docs ${info.doc_count}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
