//! Running the rules on one transaction (`server/transactions/transaction-rules.ts`
//! runRules, prepareTransactionForRules, resolvePayeeNameForRules,
//! refreshCategoryGroupIfChanged, finalizeTransactionForRules).

use std::collections::BTreeSet;

use rusqlite::OptionalExtension;
use serde_json::Value;

use super::formula_balances;
use super::split::Row;
use super::{NewPayee, Rules};
use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::json;
use crate::foundation::js::sqlite::all_columns;

/// `SELECT * FROM <table> WHERE id = ?` as a row object, or null.
fn row_by_id(b: &Budget, sql: &str, id: &str) -> Result<Option<Row>> {
    let mut stmt = b.conn.prepare_cached(sql)?;
    Ok(stmt.query_row([id], all_columns).optional()?)
}

fn id_of<'v>(v: Option<&'v Value>, what: &'static str) -> Result<Option<&'v str>> {
    match v {
        Some(v) if js::is_truthy(v) => match v.as_str() {
            Some(s) => Ok(Some(s)),
            None => Err(BudgetError::Unsupported(format!(
                "running rules on a transaction whose {what} is not a string"
            ))),
        },
        _ => Ok(None),
    }
}

impl Rules {
    /// prepareTransactionForRules: the payee's name, a zero `balance` (only formulas
    /// read it), the account row and name, the category's name and group.
    fn prepare(&self, b: &Budget, trans: &Row) -> Result<Row> {
        let mut r = trans.clone();
        if let Some(payee) = id_of(trans.get("payee"), "payee")? {
            if let Some(p) = row_by_id(b, "SELECT * FROM payees WHERE id = ?", payee)? {
                r.insert(
                    "payee_name".into(),
                    p.get("name").cloned().unwrap_or(Value::Null),
                );
            }
        }
        r.insert("balance".into(), Value::from(0));
        if let Some(account) = id_of(trans.get("account"), "account")? {
            if self.has_formulas {
                r.insert(
                    "balance".into(),
                    formula_balances::running_balance(b, trans, account)?,
                );
            }
            let row = match self.accounts.get(account) {
                Some(a) => Some(a.clone()),
                None => row_by_id(b, "SELECT * FROM accounts WHERE id = ?", account)?,
            };
            let name = row
                .as_ref()
                .and_then(|a| a.get("name"))
                .filter(|n| js::is_truthy(n))
                .cloned()
                .unwrap_or(Value::String(String::new()));
            r.insert("_account".into(), row.map_or(Value::Null, Value::Object));
            r.insert("_account_name".into(), name);
        }
        if let Some(category) = id_of(trans.get("category"), "category")? {
            if let Some(c) = row_by_id(b, "SELECT * FROM categories WHERE id = ?", category)? {
                r.insert(
                    "_category_name".into(),
                    c.get("name").cloned().unwrap_or(Value::Null),
                );
                set_group(&mut r, c.get("cat_group"));
            }
        }
        Ok(r)
    }

    /// resolvePayeeNameForRules: a rule that set `payee_name` left `payee: 'new'`;
    /// the payee of that name (case-insensitively), else a new one.
    fn resolve_payee_name(&self, b: &Budget, trans: &mut Row) -> Result<()> {
        if !trans.contains_key("payee_name")
            || trans.get("payee").and_then(Value::as_str) != Some("new")
        {
            return Ok(());
        }
        let name = match trans.get("payee_name") {
            Some(v) if js::is_truthy(v) => match v.as_str() {
                Some(s) => s.to_string(),
                None => {
                    return Err(BudgetError::Unsupported(
                        "a rule setting a payee name that is not a string".into(),
                    ))
                }
            },
            _ => {
                trans.insert("payee".into(), Value::Null);
                return Ok(());
            }
        };
        let lower = name.to_lowercase();
        let mut stmt = b.conn.prepare_cached(
            "SELECT id FROM payees WHERE UNICODE_LOWER(name) = ? AND tombstone = 0",
        )?;
        let existing: Option<String> = stmt.query_row([&lower], |r| r.get(0)).optional()?;
        let id = match existing {
            Some(id) => id,
            None => {
                let mut created = self.new_payees.borrow_mut();
                match created.iter().find(|p| p.name.to_lowercase() == lower) {
                    Some(p) => p.id.clone(),
                    None => {
                        let id = crate::foundation::changes::uuid_v4();
                        created.push(NewPayee {
                            id: id.clone(),
                            name,
                        });
                        id
                    }
                }
            }
        };
        trans.insert("payee".into(), Value::String(id));
        Ok(())
    }

    /// refreshCategoryGroupIfChanged.
    fn refresh_group(&self, b: &Budget, trans: &mut Row, last: &mut Value) -> Result<()> {
        let current = trans.get("category").cloned().unwrap_or(Value::Null);
        if current == *last {
            return Ok(());
        }
        match id_of(Some(&current), "category")? {
            Some(id) => {
                let group = row_by_id(b, "SELECT * FROM categories WHERE id = ?", id)?
                    .and_then(|c| c.get("cat_group").cloned());
                set_group(trans, group.as_ref());
            }
            None => {
                trans.shift_remove("category_group");
            }
        }
        *last = current;
        Ok(())
    }

    /// runRules(trans).
    pub(super) fn run_one(&self, b: &Budget, trans: Row) -> Result<Row> {
        let mut out = self.prepare(b, &trans)?;
        let mut last_category = out.get("category").cloned().unwrap_or(Value::Null);

        // A transaction of a schedule: that schedule's rule runs whatever its
        // conditions say, and the rules of other schedules do not run.
        let mut schedule_rule: Option<String> = None;
        let mut other_schedule_rules: Vec<String> = Vec::new();
        if let Some(schedule) = trans.get("schedule").filter(|s| !s.is_null()) {
            let mut stmt = b
                .conn
                .prepare_cached("SELECT rule FROM schedules WHERE id = ?")?;
            let rule: Option<Option<String>> = stmt
                .query_row([json::to_string(schedule)], |r| r.get(0))
                .optional()?;
            schedule_rule = rule.flatten().filter(|r| !r.is_empty());
            if let Some(own) = &schedule_rule {
                let mut stmt = b.conn.prepare_cached("SELECT rule FROM schedules")?;
                let rows = stmt.query_map([], |r| r.get::<_, Option<String>>(0))?;
                for rule in rows {
                    if let Some(rule) = rule?.filter(|r| !r.is_empty() && r != own) {
                        other_schedule_rules.push(rule);
                    }
                }
            }
        }

        let mut applicable = BTreeSet::new();
        self.firstchar.applicable(&trans, &mut applicable);
        self.payee.applicable(&trans, &mut applicable);
        if self.has_formulas {
            let rules: Vec<&super::rule::Rule> =
                applicable.iter().map(|&p| &self.ranked[p]).collect();
            let accounts = formula_balances::accounts_in_order(b)?;
            let fetched = formula_balances::balance_of(b, &out, &rules, &accounts)?;
            out.insert("_balanceOfPrefetched".into(), fetched);
        }
        for position in applicable {
            let rule = &self.ranked[position];
            let id = rule.id.as_str().unwrap_or("");
            let run = match &schedule_rule {
                Some(own) if own == id => {
                    rule.exec_onto(&mut out).map_err(BudgetError::from)?;
                    true
                }
                Some(_) if other_schedule_rules.iter().any(|r| r == id) => false,
                _ => {
                    if rule.eval_conditions(&out).map_err(BudgetError::from)? {
                        rule.exec_onto(&mut out).map_err(BudgetError::from)?;
                    }
                    true
                }
            };
            if run {
                self.resolve_payee_name(b, &mut out)?;
                self.refresh_group(b, &mut out, &mut last_category)?;
            }
        }
        self.finalize(b, out)
    }

    /// finalizeTransactionForRules: the payee name resolved, and the helper fields gone
    /// (`_account`, `_account_name` and `_category_name` stay, as upstream leaves them).
    fn finalize(&self, b: &Budget, mut trans: Row) -> Result<Row> {
        if trans.contains_key("payee_name") {
            self.resolve_payee_name(b, &mut trans)?;
            trans.shift_remove("payee_name");
        }
        for key in [
            "balance",
            "category_group",
            "_balanceOfPrefetched",
            "parent_amount",
        ] {
            trans.shift_remove(key);
        }
        if let Some(Value::Array(children)) = trans.get_mut("subtransactions") {
            for child in children.iter_mut().filter_map(Value::as_object_mut) {
                for key in ["balance", "_balanceOfPrefetched", "parent_amount"] {
                    child.shift_remove(key);
                }
            }
        }
        super::split::drop_undefined(&mut trans);
        Ok(trans)
    }
}

/// `trans.category_group = category?.cat_group`: an undefined group is no key.
fn set_group(trans: &mut Row, group: Option<&Value>) {
    match group {
        Some(g) => {
            trans.insert("category_group".into(), g.clone());
        }
        None => {
            trans.shift_remove("category_group");
        }
    }
}
