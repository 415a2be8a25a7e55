#!/usr/bin/env -S node --max-semi-space-size=4
/* c8 ignore start -- the process entry only; its parts are tested in test/server/cli.test.ts, and this file runs in child processes there */
import { closeOnSignals, main } from './cli.js'

const result = await main(process.argv.slice(2), process.env, undefined, (app, config) => { closeOnSignals(app, config.shutdownGrace) })
if (typeof result === 'number') process.exitCode = result
/* c8 ignore stop */
