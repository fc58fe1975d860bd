//! The rules engine: upstream's rules (`server/rules/`) as `server/transactions/
//! transaction-rules.ts` loads, ranks and runs them on the transactions an import or
//! an add hands it, and the writes of rules (`createRule`, `updateRule`, `deleteRule`).
//!
//! - [`fields`]: the fields rules know, their operators, stored vs public names;
//! - [`stored`]: the `rules` table's rows and JSON text;
//! - [`condition`], [`recur`]: conditions (recurring dates as rSchedule reads them);
//! - [`action`], [`split`]: actions, split actions and the split helpers they use;
//! - [`rule`]: a rule, its score and id mapping; [`index`]: which rules a
//!   transaction is tried against; [`run`]: runRules;
//! - [`write`]: createRule / updateRule / deleteRule; [`learn`]: learnCategories;
//! - [`js`]: the JavaScript semantics the engine relies on.
//!
//! What the engine cannot run exactly (template and formula actions, and the other
//! cases named in the `Unsupported` errors) fails [`Rules::load`] with
//! `BudgetError::Unsupported` before anything is written, so the whole call goes to
//! the official engine.

pub mod action;
pub mod condition;
pub mod error;
pub mod fields;
pub mod index;
pub mod js;
pub mod learn;
pub mod recur;
pub mod rule;
pub mod run;
pub mod split;
pub mod stored;
pub mod write;

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::rows::all_columns;
use crate::{Budget, BudgetError, Changes, Result, Writer};
use actual_sync::Value as Cell;

use index::{Indexer, KeyMethod};
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
}

impl Rules {
    /// Loads and ranks every live rule (what upstream's loadRules/RuleIndexer hold).
    /// Err(Unsupported) if a rule uses a feature the engine cannot run.
    pub fn load(b: &Budget) -> Result<Rules> {
        let mut mappings = Mappings::new(b.conn);
        let mut loaded = Vec::new();
        for row in stored::live_rows(b)? {
            let Some(mut rule) = stored::make_rule(&row).map_err(BudgetError::from)? else {
                continue;
            };
            if let Some(what) = rule.unsupported() {
                return Err(BudgetError::Unsupported(what.to_string()));
            }
            rule.migrate_ids(&mut |id| mappings.get(id));
            loaded.push(rule);
        }
        let mut order: Vec<usize> = (0..loaded.len()).collect();
        let scores: Vec<u32> = loaded.iter().map(Rule::score).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&loaded[a], &loaded[b]);
            ra.stage
                .cmp(&rb.stage)
                .then(scores[a].cmp(&scores[b]))
                .then_with(|| compare_ids(&ra.id, &rb.id))
        });
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
        b: &crate::Budget,
        trans: serde_json::Map<String, serde_json::Value>,
    ) -> crate::Result<serde_json::Map<String, serde_json::Value>> {
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

/// The ids' `<` order (UTF-16 code units).
fn compare_ids(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => js::cmp_utf16(x, y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// `db.getAccounts()`: live accounts with their bank's name and id.
fn load_accounts(b: &Budget) -> Result<HashMap<String, Map<String, Value>>> {
    let mut stmt = b.conn.prepare_cached(crate::accounts::DB_GET_ACCOUNTS)?;
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
