// A CouchDB-compatible replication target: express-pouchdb over LevelDB
// files in DIR, on 127.0.0.1:PORT. Prints "ready" when listening.
//   node server.js PORT DIR
'use strict';
const path = require('path');
const express = require('express');
const PouchDB = require('pouchdb');

const [port, dir] = process.argv.slice(2);
const DB = PouchDB.defaults({ prefix: path.join(dir, 'srv-') });
const app = express();
app.use('/', require('express-pouchdb')(DB, { logPath: path.join(dir, 'log.txt'), mode: 'minimumForPouchDB' }));
app.listen(Number(port), '127.0.0.1', () => console.log('ready'));
