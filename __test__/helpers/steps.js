'use strict';
// Runs a list of calls on an API object (this package or @actual-app/api), each
// step's outcome kept as { ok: value } or { error: { name, code, reason, message } };
// a failing step does not stop the next. `call` is an API function name, or a script:
// 'readEverything' (read-calls.js), 'bankSyncCalls' or 'bankAccountStates'
// (bank-sync-script.js).
const SCRIPTS = {
  readEverything: (api, step) => require('./read-calls.js').readEverything(api, { months: step.months }),
  bankSyncCalls: (api) => require('./bank-sync-script.js').bankSyncCalls(api),
  bankAccountStates: (api) => require('./bank-sync-script.js').bankAccountStates(api),
};

function outcome(err) {
  return { error: { name: err && err.name, code: err && err.code, reason: err && err.reason, message: err && err.message } };
}

async function runSteps(api, steps) {
  const answers = {};
  for (const step of steps) {
    try {
      const value = SCRIPTS[step.call] ? await SCRIPTS[step.call](api, step) : await api[step.call](...(step.args || []));
      answers[step.label] = { ok: value === undefined ? null : value };
    } catch (err) {
      answers[step.label] = outcome(err);
    }
  }
  return answers;
}

module.exports = { runSteps, outcome };
