'use strict';
// Upstream's rule formula evaluation (`Action.executeFormulaSync` in
// @actual-app/core/src/server/rules/action.ts) on the real hyperformula, configured as
// action.ts configures it, with the custom functions a rule formula can reach
// (shared/formulas/customFunctions.ts: BALANCE_OF, FIXED, INTEGER_TO_AMOUNT, same
// metadata and bodies). Answers { ok: value } or { error: message } (what it throws).
const { HyperFormula, FunctionPlugin, FunctionArgumentType } = require('hyperformula');
const enUS = require('hyperformula/commonjs/i18n/languages/enUS').default;

class RuleFunctions extends FunctionPlugin {
  balanceOf(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('BALANCE_OF'), (accountKey) =>
      this.config.context?.balanceOfPrefetch?.get(accountKey) ?? 0);
  }
  fixed(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FIXED'), (number, decimals = 0) => Number(number).toFixed(decimals));
  }
  integerToAmount(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('INTEGER_TO_AMOUNT'), (amount, places = 2) => amount / Math.pow(10, places));
  }
}
RuleFunctions.implementedFunctions = {
  BALANCE_OF: { method: 'balanceOf', parameters: [{ argumentType: FunctionArgumentType.STRING }] },
  FIXED: {
    method: 'fixed',
    parameters: [{ argumentType: FunctionArgumentType.NUMBER }, { argumentType: FunctionArgumentType.NUMBER, optionalArg: true, defaultValue: 0 }],
  },
  INTEGER_TO_AMOUNT: {
    method: 'integerToAmount',
    parameters: [{ argumentType: FunctionArgumentType.NUMBER }, { argumentType: FunctionArgumentType.NUMBER, optionalArg: true, defaultValue: 2 }],
  },
};

if (!HyperFormula.getRegisteredLanguagesCodes().includes('enUS')) HyperFormula.registerLanguage('enUS', enUS);
HyperFormula.registerFunctionPlugin(RuleFunctions, {
  enUS: { BALANCE_OF: 'BALANCE_OF', FIXED: 'FIXED', INTEGER_TO_AMOUNT: 'INTEGER_TO_AMOUNT' },
});

/** `amountToInteger(Math.round(v * 100) / 100)`. */
const toCents = (v) => Math.round((Math.round(v * 100) / 100) * 100);

/** executeFormulaSync(formula, transaction) with `today` for currentDay(). */
function runFormula(formula, transaction, today) {
  let hf = null;
  try {
    if (!formula || !formula.startsWith('=')) throw new Error('Formula must start with =');
    const prefetched = transaction._balanceOfPrefetched;
    hf = HyperFormula.buildEmpty({
      licenseKey: 'gpl-v3',
      language: 'enUS',
      dateFormats: ['DD/MM/YYYY', 'YYYY-MM-DD', 'YYYY/MM/DD'],
      context: { balanceOfPrefetch: prefetched ? new Map(Object.entries(prefetched)) : new Map() },
    });
    const sheetId = hf.getSheetId(hf.addSheet('Sheet1'));
    const fields = {
      ...transaction,
      today,
      account_name: transaction._account_name || '',
      category_name: transaction._category_name || '',
    };
    for (const key of Object.keys(fields)) {
      if (key === '_balanceOfPrefetched') continue;
      const v = fields[key];
      hf.addNamedExpression(key, v === undefined || v === null || typeof v === 'object' ? '' : v);
    }
    hf.setCellContents({ sheet: sheetId, col: 0, row: 0 }, [[formula]]);
    const value = hf.getCellValue({ sheet: sheetId, col: 0, row: 0 });
    if (value && typeof value === 'object' && 'type' in value) throw new Error(`Formula error: ${value.message}`);
    return { ok: typeof value === 'number' ? toCents(value) : value };
  } catch (err) {
    return { error: err.message };
  } finally {
    hf?.destroy();
  }
}

module.exports = { runFormula };
