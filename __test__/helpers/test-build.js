'use strict';
// The test build of the addon (`npm run build:test-rules`: cargo feature `test-rules`,
// napi/rules_testing.rs): the published addon and binding.js have no test-only bindings.
const fs = require('node:fs');
const path = require('node:path');

const TEST_BUILD = path.join(__dirname, '..', '..', 'target', 'rules-testing');
const addon = fs.existsSync(TEST_BUILD) && fs.readdirSync(TEST_BUILD).find((f) => f.endsWith('.node'));
if (!addon) throw new Error('no test build of the addon: run `npm run build:test-rules` first');

module.exports = require(path.join(TEST_BUILD, addon));
