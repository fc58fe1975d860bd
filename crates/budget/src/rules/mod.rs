//! PLACEHOLDER for the rules engine (branch `writes-rules` writes the real one with
//! this API; replace this whole module by it when merging).
//!
//! `run` is upstream's `runRules` (`server/transactions/transaction-rules.ts`) on one
//! transaction in public field shape. Without a live rule it still has effects a
//! caller sees, and those are done here as upstream does them:
//! `prepareTransactionForRules` adds `_account` (the `db.getAccounts()` row, or the
//! `accounts` row, or null), `_account_name` and, for a known category,
//! `_category_name`, and they stay on the result (`finalizeTransactionForRules`
//! removes only `payee_name`, `balance`, `category_group`, `_balanceOfPrefetched` and
//! `parent_amount`).
//!
//! With a live rule, `run` is `Unsupported("rules")`, so such a call goes to the
//! official engine; `learn::update_category_rules` is always `Unsupported`.

use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

use crate::js::{self, Obj};
use crate::rows::all_columns;
use crate::{Budget, BudgetError, Result, Writer};

/// The rules of a budget, loaded once per write call.
pub struct Rules {
    live_rules: bool,
    /// `db.getAccounts()`, by id.
    accounts: Vec<(String, Obj)>,
}

impl Rules {
    pub fn load(b: &Budget) -> Result<Rules> {
        let live_rules: bool = b.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM rules WHERE tombstone = 0)",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = b.conn.prepare_cached(crate::accounts::DB_GET_ACCOUNTS)?;
        let accounts = stmt
            .query_map([], |r| {
                let row = all_columns(r)?;
                let id = js::to_string(row.get("id"));
                Ok((id, row))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Rules {
            live_rules,
            accounts,
        })
    }

    /// `run`, writing the payees rules make as upstream does at once (none here).
    pub fn run_in(&self, w: &mut Writer, trans: Map<String, Value>) -> Result<Map<String, Value>> {
        self.run(&w.budget, trans)
    }

    /// Writes the payees runs made (none here).
    pub fn insert_new_payees(&self, _changes: &mut crate::Changes) -> Result<()> {
        Ok(())
    }

    pub fn run(&self, b: &Budget, trans: Map<String, Value>) -> Result<Map<String, Value>> {
        if self.live_rules {
            return Err(BudgetError::Unsupported("rules".into()));
        }
        let mut r = trans;
        r.remove("payee_name");
        r.remove("balance");
        if js::truthy(r.get("account")) {
            let account = js::to_string(r.get("account"));
            let row = match self.accounts.iter().find(|(id, _)| *id == account) {
                Some((_, row)) => Some(row.clone()),
                None => b
                    .conn
                    .query_row(
                        "SELECT * FROM accounts WHERE id = ?",
                        [&account],
                        all_columns,
                    )
                    .optional()?,
            };
            let name = row
                .as_ref()
                .and_then(|row| row.get("name"))
                .filter(|n| js::truthy(Some(n)))
                .cloned()
                .unwrap_or_else(|| Value::from(""));
            r.insert("_account".into(), row.map_or(Value::Null, Value::Object));
            r.insert("_account_name".into(), name);
        }
        if let Some(Value::String(category)) = r.get("category").filter(|c| js::truthy(Some(c))) {
            let name: Option<Value> = b
                .conn
                .query_row(
                    "SELECT name FROM categories WHERE id = ?",
                    [category],
                    |row| Ok(crate::rows::plain(row.get_ref(0)?)),
                )
                .optional()?;
            if let Some(name) = name {
                r.insert("_category_name".into(), name);
            }
        }
        for key in ["category_group", "_balanceOfPrefetched", "parent_amount"] {
            r.remove(key);
        }
        Ok(r)
    }
}

/// `learnCategories` (`rules.updateCategoryRules`).
pub mod learn {
    use serde_json::{Map, Value};

    use super::Rules;
    use crate::{BudgetError, Result, Writer};

    /// `updateCategoryRules(transactions)`.
    pub fn update_category_rules(
        _w: &mut Writer,
        _rules: &Rules,
        transactions: &[Map<String, Value>],
    ) -> Result<()> {
        if transactions.is_empty() {
            return Ok(());
        }
        Err(BudgetError::Unsupported("learnCategories".into()))
    }
}
