//! What a batch of transaction writes works with: the messages it collects
//! ([`Pending`], applied when the batch ends, as upstream's `batchMessages`), the rules
//! loaded when first needed ([`LazyRules`]), the rows it reads, and `Date.now()`.

use std::collections::HashMap;

use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::rules::Rules;
use crate::schema::fields::{from_select, TRANSACTIONS};

/// One row's messages: (table, row id, fields).
type RowMessages = (&'static str, String, Vec<(&'static str, Cell)>);

/// Messages collected by a batch.
#[derive(Default)]
pub struct Pending {
    rows: Vec<RowMessages>,
}

impl Pending {
    /// `db.insertTransaction(t)`: `convertForInsert`, the id generated when missing.
    pub fn insert_transaction(&mut self, t: &Obj, now_ms: f64) -> Result<String> {
        let mut row = t.clone();
        if !js::truthy(row.get("id")) {
            row.insert(
                "id".into(),
                Value::String(crate::foundation::changes::uuid_v4()),
            );
        }
        let fields = TRANSACTIONS.convert_for_insert(&row, now_ms)?;
        let id = js::to_string(row.get("id"));
        self.rows.push(("transactions", id.clone(), fields));
        Ok(id)
    }

    /// `db.updateTransaction(t)`: `convertForUpdate`; a row with no field left makes
    /// no message.
    pub fn update_transaction(&mut self, t: &Obj) -> Result<()> {
        let fields = TRANSACTIONS.convert_for_update(t)?;
        if t.get("id").is_none_or(Value::is_null) {
            return Err(BudgetError::plain("update: id is required"));
        }
        self.rows
            .push(("transactions", js::to_string(t.get("id")), fields));
        Ok(())
    }

    /// `db.delete_('transactions', id)`.
    pub fn delete_transaction(&mut self, id: &str) {
        self.rows.push((
            "transactions",
            id.to_string(),
            vec![("tombstone", Cell::Number(1.0))],
        ));
    }

    /// `db.insertPayee({ id, name })`: the payee, then its mapping to itself.
    pub fn insert_payee(&mut self, id: &str, name: &str) {
        self.rows.push((
            "payees",
            id.to_string(),
            vec![("name", Cell::String(name.to_string()))],
        ));
        self.rows.push((
            "payee_mapping",
            id.to_string(),
            vec![("targetId", Cell::String(id.to_string()))],
        ));
    }

    /// Ends the batch: stamps and applies its messages.
    pub fn apply(self, w: &mut Writer) -> Result<()> {
        let rows = self
            .rows
            .into_iter()
            .filter(|(_, _, fields)| !fields.is_empty())
            .collect();
        w.changes.send_rows(rows)
    }
}

/// `Date.now()`.
pub fn now_millis() -> f64 {
    actual_sync::timestamp::now_millis() as f64
}

/// The rules, loaded when a transfer first needs them.
pub struct LazyRules(Option<Rules>);

impl LazyRules {
    pub fn new(rules: Option<Rules>) -> Self {
        LazyRules(rules)
    }

    /// The rules if some run already loaded them.
    pub fn loaded(&self) -> Option<&Rules> {
        self.0.as_ref()
    }

    pub fn get(&mut self, b: &Budget) -> Result<&Rules> {
        if self.0.is_none() {
            self.0 = Some(Rules::load(b)?);
        }
        Ok(self.0.as_ref().expect("loaded above"))
    }
}

/// `getTransactionsByIds`: `v_transactions_internal` rows in public shape, in the
/// order of `ids` (missing ones left out).
pub fn transactions_by_ids(b: &Budget, ids: &[String]) -> Result<Vec<Obj>> {
    let mut found: HashMap<String, Obj> = HashMap::with_capacity(ids.len());
    if !ids.is_empty() {
        let mut stmt = b.conn.prepare_cached(
            "SELECT * FROM v_transactions_internal WHERE id IN (SELECT value FROM json_each(?))",
        )?;
        let list = serde_json::to_string(ids).expect("strings serialize");
        let rows = stmt.query_map([list], |r| from_select(&TRANSACTIONS, r))?;
        for row in rows {
            let row = row?;
            found.insert(js::to_string(row.get("id")), row);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// `db.getTransaction(id)`: the live row of `v_transactions`, in public shape.
pub fn get_transaction(b: &Budget, id: &str) -> Result<Option<Obj>> {
    Ok(b.conn
        .query_row("SELECT * FROM v_transactions WHERE id = ?", [id], |r| {
            from_select(&TRANSACTIONS, r)
        })
        .optional()?)
}
