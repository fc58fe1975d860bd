//! Rules: the stored rules as upstream loads them, the reads `getRules()` and
//! `getPayeeRules(id)` (`server/rules/app.ts` getRules, `server/payees/app.ts`
//! getPayeeRules), the engine that runs them on the transactions an import or an add
//! hands it (`server/transactions/transaction-rules.ts` loadRules, runRules), and the
//! writes of rules (`createRule`, `updateRule`, `deleteRule`).
//!
//! - [`fields`]: the fields rules know, their operators, stored vs public names;
//! - [`stored`]: the `rules` table's rows and JSON text;
//! - [`condition`], [`recurrence`]: conditions (recurring dates as rSchedule reads
//!   them, which schedules' next dates use too);
//! - [`action`], [`split`]: actions, split actions and the split helpers they use;
//!   [`template`]: the Handlebars templates of `set` actions and upstream's helpers;
//!   [`formula`]: the HyperFormula formulas of `set` and split amount actions;
//! - [`rule`]: a rule and its id mapping; [`rank`]: upstream's order;
//!   [`index`]: which rules a transaction is tried against; [`run`]: runRules;
//! - [`write`]: createRule / updateRule / deleteRule; [`learn`]: learnCategories.
//!
//! Upstream answers the reads from the rules it loaded into memory when the budget was
//! opened ([`load_rules`]: live rows with both columns set, each built and checked, the
//! ones that fail with a rule error left out, ids mapped through the mapping tables)
//! and kept up to date on sync. They are built here the same way from the database.
//! One case is answered as a fresh load answers it: a rule that sync turns from valid
//! into one upstream rejects stays in upstream's memory in its old form until the next
//! load; here it is left out, as that next load leaves it out.
//!
//! What cannot be told exactly (whether upstream loads a rule, or how it runs one:
//! formulas beyond the subset [`formula`] runs, templates beyond the subset
//! [`template`] renders, and the other cases named in the `Unsupported` errors) fails
//! with `BudgetError::Unsupported`: a read when the rule cannot be built,
//! [`Rules::load`] (before anything is written) when it cannot be run, so the whole
//! call is refused as unsupported.

pub mod action;
mod action_formula;
pub mod condition;
pub mod error;
pub mod fields;
pub mod formula;
pub mod formula_balances;
pub mod index;
pub mod learn;
mod rank;
pub mod recurrence;
pub mod rule;
pub mod run;
pub mod split;
pub mod stored;
mod template;

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::changes::Changes;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::json;
use crate::foundation::js::sqlite::all_columns;
use actual_sync::Value as Cell;

use action::ActionOp;
use error::RuleError;
use fields::FieldType;
use index::{Indexer, KeyMethod};
use rank::rank_order;
use rule::{Mappings, Rule};

/// A payee a rule's `set payee_name` created (upstream's resolvePayeeNameForRules
/// inserts it at once); see [`Rules::insert_new_payees`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayee {
    pub id: String,
    pub name: String,
}

/// The live rules, ranked as upstream ranks them (stage `pre`, default, `post`; in
/// each, by score, then id), with upstream's two indexes, and the accounts
/// (`db.getAccounts()`, the `accountsMap` of an import).
pub struct Rules {
    ranked: Vec<Rule>,
    /// The rules in load order (upstream's `getRules()`), as positions in `ranked`.
    load_order: Vec<usize>,
    firstchar: Indexer,
    payee: Indexer,
    accounts: HashMap<String, Map<String, Value>>,
    new_payees: RefCell<Vec<NewPayee>>,
    /// Whether a rule has a formula (which reads balances fetched for it).
    has_formulas: bool,
}

impl Rules {
    /// Loads and ranks every live rule (what upstream's loadRules/RuleIndexer hold).
    /// Err(Unsupported) if a rule uses a feature the engine cannot run.
    /// Inside `runImport` there are none: upstream's index holds the rules of the load
    /// before the import began (a new budget has none) and is not updated while
    /// importing.
    pub fn load(b: &Budget) -> Result<Rules> {
        let loaded = if b.importing {
            Vec::new()
        } else {
            load_rules(b)?
        };
        if let Some(what) = loaded.iter().find_map(Rule::unsupported) {
            return Err(BudgetError::Unsupported(what.to_string()));
        }
        if loaded.iter().any(formula_balances::has_formula) {
            formula_balances::check_formula_units(b)?;
        }
        let order = rank_order(&loaded);
        let mut position_of = vec![0; loaded.len()];
        for (position, &i) in order.iter().enumerate() {
            position_of[i] = position;
        }
        let mut slots: Vec<Option<Rule>> = loaded.into_iter().map(Some).collect();
        let ranked: Vec<Rule> = order
            .iter()
            .map(|&i| slots[i].take().expect("each once"))
            .collect();
        let mut firstchar = Indexer::new("imported_payee", KeyMethod::FirstChar);
        let mut payee = Indexer::new("payee", KeyMethod::Whole);
        for (position, rule) in ranked.iter().enumerate() {
            firstchar.index(position, rule);
            payee.index(position, rule);
        }
        Ok(Rules {
            has_formulas: ranked.iter().any(formula_balances::has_formula),
            ranked,
            load_order: position_of,
            firstchar,
            payee,
            accounts: load_accounts(b)?,
            new_payees: RefCell::new(Vec::new()),
        })
    }

    /// upstream runRules(trans): applies every matching rule, stage by stage, to one
    /// transaction given in upstream's public field shape (as reconcileTransactions/
    /// addTransactions hand it: account, date 'YYYY-MM-DD', amount, payee, category,
    /// notes, imported_payee, cleared, subtransactions, ...). Returns the transaction
    /// after the rules (split actions may add `subtransactions`).
    ///
    /// Like upstream's, the result keeps `_account` (the account row), `_account_name`
    /// and `_category_name` when the transaction has an account or category (they
    /// show in `importTransactions`' `updatedPreview`). A rule that sets `payee_name`
    /// to a name no payee has makes a new payee, which later runs see: upstream writes
    /// it at once, even in a dry run; write them with [`Rules::insert_new_payees`]
    /// before the transactions (or use [`Rules::run_in`], which does).
    pub fn run(
        &self,
        b: &crate::foundation::budget::Budget,
        trans: serde_json::Map<String, serde_json::Value>,
    ) -> crate::foundation::error::Result<serde_json::Map<String, serde_json::Value>> {
        self.run_one(b, trans)
    }

    /// [`Rules::run`], writing the payees it makes right away, as upstream does.
    pub fn run_in(&self, w: &mut Writer, trans: Map<String, Value>) -> Result<Map<String, Value>> {
        let out = self.run_one(&w.budget, trans)?;
        self.insert_new_payees(&mut w.changes)?;
        Ok(out)
    }

    /// The payees made by runs so far and not yet written, taken out.
    pub fn take_new_payees(&self) -> Vec<NewPayee> {
        std::mem::take(&mut self.new_payees.borrow_mut())
    }

    /// Writes the payees made by runs so far as upstream's `insertPayee({ name })` does
    /// (the payee's `name`, then its `payee_mapping` to itself); answers them.
    pub fn insert_new_payees(&self, changes: &mut Changes) -> Result<Vec<NewPayee>> {
        let payees = self.take_new_payees();
        for p in &payees {
            let name = vec![("name", Cell::String(p.name.clone()))];
            let mapping = vec![("targetId", Cell::String(p.id.clone()))];
            changes.send_rows(vec![
                ("payees", p.id.clone(), name),
                ("payee_mapping", p.id.clone(), mapping),
            ])?;
        }
        Ok(payees)
    }

    /// The rules in upstream's `getRules()` order (load order), unranked.
    pub fn in_load_order(&self) -> impl Iterator<Item = &Rule> {
        self.load_order.iter().map(|&p| &self.ranked[p])
    }

    /// The rules ranked (upstream's `rankRules(getRules())`, which getRules answers).
    pub fn ranked(&self) -> &[Rule] {
        &self.ranked
    }
}

/// `db.getAccounts()`: live accounts with their bank's name and id.
fn load_accounts(b: &Budget) -> Result<HashMap<String, Map<String, Value>>> {
    let mut stmt = b
        .conn
        .prepare_cached(crate::reads::accounts::DB_GET_ACCOUNTS)?;
    let mut rows = stmt.query([])?;
    let mut out = HashMap::new();
    while let Some(row) = rows.next()? {
        let account = all_columns(row)?;
        if let Some(id) = account.get("id").and_then(Value::as_str) {
            out.entry(id.to_string()).or_insert(account);
        }
    }
    Ok(out)
}

/// `loadRules`: the rules upstream holds in memory, in load order. A rule error leaves
/// the rule out; any other error stops upstream from loading the budget.
pub fn load_rules(b: &Budget) -> Result<Vec<Rule>> {
    let mut mappings = Mappings::new(b.conn);
    let mut loaded = Vec::new();
    for row in stored::live_rows(b)? {
        // Upstream keys its rules by id; only text ids are handled.
        let Some(id) = row.get("id").and_then(Value::as_str) else {
            return Err(BudgetError::Unsupported(
                "a rule whose id is not text".into(),
            ));
        };
        match stored::make_rule(&row) {
            Ok(Some(mut rule)) => {
                rule.migrate_ids(&mut |id| mappings.get(id));
                loaded.push(rule);
            }
            Ok(None) => {}
            Err(RuleError::Unsupported(what)) => {
                return Err(BudgetError::Unsupported(format!("rule {id}: {what}")))
            }
            Err(e) => {
                return Err(BudgetError::Unsupported(format!(
                    "rule {id}: {} (upstream cannot load this budget)",
                    BudgetError::from(e)
                )))
            }
        }
    }
    Ok(loaded)
}

/// The loaded rules that pass `keep`, ranked, serialised.
fn ranked_answer(b: &Budget, keep: impl Fn(&Rule) -> bool) -> Result<Value> {
    let rules = load_rules(b)?;
    Ok(Value::Array(
        rank_order(&rules)
            .into_iter()
            .map(|i| &rules[i])
            .filter(|r| keep(r))
            .map(Rule::serialize)
            .collect(),
    ))
}

/// `getRules()`: every rule, ranked.
pub fn get_rules(b: &Budget, _args: &Value) -> Result<Value> {
    ranked_answer(b, |_| true)
}

/// Whether `rule` names `id` as a payee (`iterateIds(rules, 'payee', ...)`): in an
/// `is`, `isNot`, `oneOf` or `notOneOf` payee condition, or a `set` payee action, with
/// the ids as mapped. `None` is `undefined`; upstream compares with `===`.
fn names_payee(rule: &Rule, id: Option<&Value>) -> bool {
    let eq = |v: Option<&Value>| json::strict_equals(v, id);
    let in_conditions = rule
        .conditions
        .iter()
        .filter(|c| c.ty == FieldType::Id && c.field == "payee")
        .any(|c| match c.op.as_str() {
            "is" | "isNot" => eq(c.unparsed.as_ref()),
            "oneOf" | "notOneOf" => c
                .unparsed
                .as_ref()
                .and_then(Value::as_array)
                .is_some_and(|items| items.iter().any(|v| eq(Some(v)))),
            _ => false,
        });
    in_conditions
        || rule.actions.iter().any(|a| {
            a.ty == Some(FieldType::Id)
                && a.field.as_ref().and_then(Value::as_str) == Some("payee")
                && a.op == ActionOp::Set
                && eq(a.value.as_ref())
        })
}

/// `getPayeeRules(id)`: the rules that name the payee, ranked.
pub fn get_payee_rules(b: &Budget, args: &Value) -> Result<Value> {
    let id = args.get("id");
    ranked_answer(b, |r| names_payee(r, id))
}
