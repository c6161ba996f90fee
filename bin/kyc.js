#!/usr/bin/env node
// The command-line client; compiled by `npm ci` (postinstall builds dist/).
require('../dist/client/cli.js').main();
