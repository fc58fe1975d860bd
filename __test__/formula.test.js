'use strict';
// Rule formulas (`options.formula`): hundreds of formulas on transaction-like fields,
// run by the real hyperformula configured as upstream's action.ts configures it
// (helpers/formula-oracle.js) and by the native evaluator (the test-only binding
// testOnlyRunFormula, in the test build of the addon), compared value for value and message for message. A formula
// the native engine refuses must be one listed below as refused, and every refusal
// names what it refuses. No server (about 20 s, most of it hyperformula's).
const test = require('node:test');
const assert = require('node:assert/strict');

const binding = require('./helpers/test-build.js');
const { runFormula } = require('./helpers/formula-oracle.js');

const localDay = () => {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

/** A transaction as the rules engine hands it to an action (prepared, mid-run). */
const base = {
  id: 'a1b2c3', is_parent: false, is_child: false, parent_id: null, account: 'acc-1',
  category: 'cat-1', amount: -1250, payee: 'payee-1', notes: 'weekly groceries',
  date: '2024-01-05', imported_id: '12345', error: null, imported_payee: 'CORNER SHOP 123',
  starting_balance_flag: false, transfer_id: null, sort_order: 1704456000000, cleared: true,
  reconciled: false, tombstone: 0, schedule: null, payee_name: 'Corner Shop', balance: 250075,
  _account: { id: 'acc-1', name: 'Checking' }, _account_name: 'Checking', _category_name: 'Food',
  category_group: 'grp-1', _balanceOfPrefetched: { Checking: 123456, Savings: -50 },
  _ruleErrors: [], subtransactions: [], parent_amount: -5001,
};

const arithmetic = [
  '=amount', '=amount*2', '=amount/3', '=amount/0', '=0.1+0.2', '=1/3*3', '=0.3-0.1', '=1.005*100',
  '=2.675', '=-2^2', '=2^-1', '=2^0.5', '=2^10', '=(-3)^3', '=10^-5*1e15', '=10^-4', '=amount*10^-2', '=(1+2)*3', '=5%', '=-5%', '=amount%', '=+amount', '=--amount',
  '=1e3', '=.5', '=10/4', '=-0.005', '=0.005', '=0.015', '=-0.015', '=1.115', '=1234567.891', '=1e15',
  '=1e300*1e300', '=amount/100', '=balance/100', '=parent_amount/2', '=parent_amount*0.3',
  '=parent_amount/3', '=amount*1.1', '=amount/7', '=amount*-1', '=ABS(amount)/100*100',
  '=amount - 0.1', '=1-0.9-0.1', '=0.1*3', '=100*1.1', '=3*1.15', '= amount * 2 ', '=amount+balance',
  '=amount+"5"', '=amount+"abc"', '=amount+""', '=amount*TRUE()', '=amount+notes', '=date+1',
  '=date-DATE(2024,1,1)', '=today-date', '=1/3', '=2/3', '=-1/3', '=1e-7', '=123456789.125',
  '=0.125', '=0.375', '=-0.125', '=4.35*100', '=8.675', '=amount*0.01', '=99999999999',
];

const text = [
  '="a"&"b"', '=amount&""', '=0.1+0.2&""', '=notes&" "&payee_name', '=TRUE()&""', '=date&""',
  '=1/3&""', '=1e21&""', '=1e-7&""', '=-0&""', '="Paid "&payee_name', '=imported_id&"x"',
  '=CONCATENATE("a",1,TRUE())', '=CONCATENATE(notes)', '=CONCATENATE()', '=LEFT(notes,6)',
  '=LEFT(notes)', '=LEFT(notes,0)', '=LEFT(notes,-1)', '=LEFT(notes,2.7)', '=LEFT(notes,100)',
  '=RIGHT(notes,3)', '=RIGHT(notes,0)', '=RIGHT(notes)', '=RIGHT(notes,2.5)', '=RIGHT(notes,-2)',
  '=MID(notes,2,3)', '=MID(notes,0,1)', '=MID(notes,1,-1)', '=MID(notes,20,5)', '=MID(notes,1.5,2.5)',
  '=LEN(notes)', '=LEN("")', '=LEN(amount)', '=UPPER(payee_name)', '=LOWER(payee_name)',
  '=UPPER(notes)&LOWER("ABC")', '=TRIM("  a   b  ")', '=TRIM(notes)', '=SUBSTITUTE(notes,"e","E")',
  '=SUBSTITUTE(notes,"e","E",2)', '=SUBSTITUTE(notes,"e","E",9)', '=SUBSTITUTE(notes,"e","E",0)',
  '=SUBSTITUTE(notes,"weekly","monthly")', '=FIND("g",notes)', '=FIND("z",notes)', '=FIND("e",notes,4)',
  '=FIND("e",notes,0)', '=FIND("",notes)', '=FIND("e",notes,99)', '=SEARCH("G",notes)', '=SEARCH("GROC",notes,3)',
  '=SEARCH("z",notes)', '=SEARCH("e",notes,0)', '=SEARCH("",notes)', '=SEARCH("e",notes,99)', '=SEARCH("g*s",notes)',
  '=SEARCH("shop",imported_payee)', '=SEARCH("~","a~b")', '=VALUE("12")', '=VALUE(" 12.5 ")', '=VALUE("(5)")', '=VALUE("( 5 )")', '=VALUE("()")',
  '=VALUE("12%")', '=VALUE("$1,000")', '=VALUE("$12")', '=VALUE("2024-01-05")', '=VALUE("")', '=VALUE("abc")',
  '=VALUE(TRUE())', '=VALUE(amount)', '=VALUE(1/0)', '=VALUE(imported_id)', '=VALUE(LEFT(imported_payee,6))', '=account_name', '=category_name',
  '=payee_name&" ("&account_name&")"', '=IF(amount<0,"out","in")', '=LEFT(imported_payee,FIND(" ",imported_payee)-1)',
  '=amount/100&" EUR"', '=FIXED(amount/100,2)', '=FIXED(2.5)', '=FIXED(1.005,2)', '=FIXED(-1.5)',
  '=FIXED(amount)', '=FIXED(1234.5678,3)', '=FIXED(0.5)', '=FIXED(-0.001,2)',
];

const logic = [
  '=amount>0', '=amount<0', '=amount=-1250', '=amount<>-1250', '="a"="A"', '="a"<>"b"',
  '=notes="weekly groceries"', '=notes="WEEKLY GROCERIES"', '=date>"2024-01-01"', '=date=DATE(2024,1,5)',
  '=TRUE()>1', '="1"=1', '=0.1+0.2=0.3', '=1=1.0000000000001', '=1=1.001', '=cleared=TRUE()', '=cleared',
  '=reconciled', '=amount>=-1250', '=amount<=-1251', '=notes=""', '=category=""', '=schedule=""',
  '=IF(amount<0,1,2)', '=IF(amount>0,1)', '=IF("x",1,2)', '=IF("TRUE",1,2)', '=IF("",1,2)', '=IF(0,1,2)',
  '=IF(1/0,1,2)', '=IF(TRUE(),1/0,2)', '=IF(FALSE(),1/0,2)', '=IF(1)', '=IF(1,2,3,4)',
  '=AND(amount<0,cleared)', '=AND(1,0)', '=AND("x")', '=AND()', '=OR(amount>0,cleared)', '=OR(0,0)',
  '=OR(1/0,1)', '=NOT(cleared)', '=NOT(0)', '=NOT(1,2)', '=IFERROR(1/0,"x")', '=IFERROR(5,"x")',
  '=IFERROR(nope,0)', '=IFS(amount<-1000,"big",amount<0,"small")', '=IFS(amount>0,"a")',
  '=IFS(amount<0)', '=IFS(1/0,1)', '=TRUE()', '=FALSE()', '=TRUE', '=IF(notes="weekly groceries","w","o")',
  '=IF(imported_id=12345,1,0)', '=IF(imported_id="12345",1,0)', '=1<"a"', '="a">TRUE()',
  '="a-b"="ab"', '="a b"="ab"', '="A.B"="a.b"', '="x"=" x"', '="Ab1!"="aB1!"', '="a"="a "', '=""=""', '="é"="e"',
  '=payee_name="corner shop"', '=imported_payee<>"corner shop 123"', '="2024-01-05"=date', '="05/01/2024"="2024-01-05"',
];

const numbers = [
  '=ROUND(2.5)', '=ROUND(-2.5)', '=ROUND(1.005,2)', '=ROUND(amount/3,-1)', '=ROUND(amount/7,2)',
  '=ROUND(0.285,2)', '=ROUND(1.45,1)', '=ROUND(amount)', '=ROUND()', '=ROUNDUP(1.1)', '=ROUNDUP(-1.1)',
  '=ROUNDUP(amount/3,1)', '=ROUNDDOWN(-1.9)', '=ROUNDDOWN(1.99,1)', '=ABS(amount)', '=ABS("-3")',
  '=MIN(1,2,"3")', '=MIN(amount,0)', '=MAX(amount,0)', '=MAX(1,"a")', '=MIN()', '=MAX(TRUE(),0)',
  '=SUM(1,2,3)', '=SUM("a")', '=SUM(TRUE(),1)', '=SUM(0.1,0.2)', '=SUM(amount,balance,parent_amount)',
  '=SUM(1,1/0)', '=MOD(-7,3)', '=MOD(7,-3)', '=MOD(5,0)', '=MOD(amount,100)', '=MOD(5.5,2)',
  '=POWER(2,0.5)', '=POWER(2,10)', '=POWER(-8,1/3)', '=INT(-1.5)', '=INT(1.5)', '=INT(amount/1000)',
  '=INTEGER_TO_AMOUNT(amount)', '=INTEGER_TO_AMOUNT(amount,3)', '=INTEGER_TO_AMOUNT(amount,0)',
  '=BALANCE_OF("Checking")', '=BALANCE_OF("Savings")', '=BALANCE_OF("Nope")', '=BALANCE_OF(1)',
  '=BALANCE_OF("Checking")/100+amount', '=IF(BALANCE_OF("Checking")>0,amount,0)', '=balance',
];

const dates = [
  '=date', '=DATE(2024,13,1)', '=DATE(24,1,1)', '=DATE(2024,1,0)', '=DATE(2024,2,30)', '=DATE(1899,1,1)',
  '=DATE(10000,1,1)', '=DATE(2024,0,1)', '=DATE(2024,-13,1)', '=DATE(2024.7,1.9,1.9)', '=YEAR(date)',
  '=MONTH(date)', '=DAY(date)', '=YEAR(today)', '=YEAR(-1)', '=DAY(0)', '=MONTH(60)', '=DAY(61)',
  '=YEAR(2958465)', '=TODAY()', '=TODAY()-today', '=DATE(YEAR(date),MONTH(date)+1,1)',
  '=DATE(YEAR(date),MONTH(date)+1,0)', '=YEAR("2024-03-01")', '=MONTH("15/04/2024")', '=DAY("2024/02/29")',
  '=DAY("2023-02-29")', '=YEAR(notes)', '=DATE(2024,1,5)=date', '=date+30', '=DATE(2024,1,5)&""',
  '=TEXT(date,"yyyy")', '=EDATE(date,1)', '=EOMONTH(date,0)', '=EDATE(date,-1)', '=EDATE(date,1.5)', '=EDATE(DATE(2024,1,31),1)',
  '=EDATE(DATE(2024,3,29),-1)', '=EDATE(DATE(2023,3,31),-1)', '=EDATE(date,-2000*12)', '=EDATE(date,100000)', '=EDATE(-1,1)',
  '=EOMONTH(date,1)', '=EOMONTH(date,-1)', '=EOMONTH(DATE(2024,1,15),1)', '=EOMONTH(date,0.5)', '=EOMONTH(date,-24300)',
  '=EOMONTH(today,0)-today', '=EDATE(today,-1)', '=EDATE("2024-01-31",1)', '=EOMONTH(notes,0)',
];

const refusedOrNames = [
  '=AMOUNT*2', '=Amount', '=nope', '=A1', '=SUM(A1:A2)', '=VLOOKUP(1,2,3)', '={1,2}', '=#N/A', '=QUERY("x")',
  'amount*2', '', '=', '=1+', '=(1', '=foo(1)', '=IF(,1,2)', '=Sheet1!A1', '="a\\"b"', '=1E5',
];

/** Field values, each read as HyperFormula reads cell content. */
const noteValues = [
  '12', ' 12 ', '12%', '$12', '12$', '1e3', '-.5', '05/01/2024', '2024/01/05', '2024-02-30', '2024-1-5',
  'TRUE', 'false', '', "'quoted", '#tag', '1,000', 'abc 12', '3.', '+7', '0012', '1/2/2024', '31.12.2024',
  '12 %', '$ 12', '-$5', 'e5', '1e', '2024-13-01', '99/99/9999', '1.5.2024', ' 2024-01-05 ',
  '12\u00a0', '\t12\n', '2024-01-05  ', '2024  -01-05', '5/1/24', '05-01-2024', '1e400', '-0', '0.0', '1.', '.', '-',
  '=1+1', '#N/A', '#div/0!', '12:30', '2024-01-05 10:00', 'TRUE ', ' false', 'Straße', 'ÉCOLE',
];
const noteFormulas = ['=notes', '=notes+0', '=notes&""', '=LEN(notes)', '=notes*1', '=IF(notes,1,2)', '=notes="12"', '=notes=12', '=SUM(notes)', '=YEAR(notes)', '=VALUE(notes&"")', '=SEARCH("2",notes)'];

function cases() {
  const out = [];
  for (const f of [...arithmetic, ...text, ...logic, ...numbers, ...dates, ...refusedOrNames]) out.push({ formula: f, fields: base });
  for (const notes of noteValues) for (const f of noteFormulas) out.push({ formula: f, fields: { ...base, notes } });
  for (const amount of [0, 1, -1, 5, 50, 123456, -99999, 333, -333]) {
    for (const f of ['=amount*1.1', '=amount/3', '=ROUND(amount*0.15,0)', '=amount*0.075', '=-amount', '=parent_amount*0.5', '=amount/100*1.2']) {
      out.push({ formula: f, fields: { ...base, amount, parent_amount: amount } });
    }
  }
  // Fields that are absent, null or of another type.
  out.push({ formula: '=notes&"x"', fields: { ...base, notes: null } });
  out.push({ formula: '=category_name', fields: { ...base, _category_name: undefined } });
  out.push({ formula: '=cleared+1', fields: { ...base, cleared: false } });
  out.push({ formula: '=notes', fields: { ...base, notes: 'x=1' } });
  return out;
}

/** Formulas (or field values) the native engine refuses; anything else must match. */
const expectedRefusals = [
  /=A1|A1:A2|Sheet1!A1|VLOOKUP|\{1,2\}|#N\/A|QUERY|TEXT\(|=1\+$|=\(1$|^=$|foo\(|IF\(,|\\"|1E5/,
  // Texts compared by order, or beyond printable ASCII (a locale collator decides).
  /^="a"<|^=1<"a"|^="a">|é/,
  // Powers other than whole results or powers of ten (V8's Math.pow is not libm's).
  /\^0\.5|\^-1|POWER\(2,0\.5\)|POWER\(-8/,
  // SEARCH's wildcards.
  /SEARCH\("g\*s"/,
];

test('rule formulas: the native evaluator answers what hyperformula answers, or refuses by name', () => {
  const today = localDay();
  const all = cases();
  assert.ok(all.length > 500, `a broad corpus (${all.length})`);
  const mismatches = [];
  const refused = [];
  for (const { formula, fields } of all) {
    const theirs = runFormula(formula, fields, today);
    const ours = JSON.parse(binding.testOnlyRunFormula(formula, JSON.stringify(fields), today));
    if (ours.unsupported !== undefined) {
      assert.match(ours.unsupported, /formula|field|text/, `a refusal names what it refuses: ${ours.unsupported}`);
      refused.push({ formula, notes: fields.notes, why: ours.unsupported, theirs, nonAscii: /[^\x20-\x7e]/.test(`${formula}${fields.notes}`) });
      continue;
    }
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push({ formula, notes: fields.notes, amount: fields.amount, ours, theirs });
  }
  assert.deepEqual(mismatches, [], 'every formula run natively gives upstream’s value');
  // Field values refused whatever the formula: text HyperFormula would evaluate, error
  // texts, times of day, numbers beyond a double.
  const unexpected = refused.filter((r) => !expectedRefusals.some((re) => re.test(r.formula)) && !/'='|error|time-like|out of range/.test(r.why) && !(r.nonAscii && /comparing texts|beyond ASCII/.test(r.why)));
  assert.deepEqual(unexpected, [], 'only the cases listed as refused are refused');
  assert.ok(refused.length < all.length / 10, `most formulas run natively (${refused.length} refused of ${all.length})`);
});
