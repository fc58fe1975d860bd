//! `batchUpdateTransactions` (`server/transactions/index.ts`): inserts, deletes and
//! updates of transactions in one batch of messages, then the transfers they cause
//! (`server/transactions/transfer.ts`) in a second batch.
//!
//! Upstream's `batchMessages` applies a batch's messages when it ends, so reads made
//! inside a batch do not see its own writes; [`Pending`] keeps that: messages are
//! collected and applied by [`Pending::apply`].

use serde_json::Value;

use crate::foundation::js::{self, Obj};
use std::collections::HashSet;

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::error::Result;
use crate::rules::learn;

use crate::foundation::js::set;

use super::batch_state::{now_millis, transactions_by_ids, LazyRules, Pending};

/// What a batch is given.
#[derive(Default)]
pub struct BatchUpdate {
    pub added: Vec<Obj>,
    pub updated: Vec<Obj>,
    pub deleted: Vec<Obj>,
    pub learn_categories: bool,
    pub run_transfers: bool,
}

fn ids_of(list: &[Obj]) -> Vec<String> {
    list.iter().map(|t| js::to_string(t.get("id"))).collect()
}

/// `batchUpdateTransactions({ added, deleted, updated, learnCategories, runTransfers })`.
pub fn batch_update(w: &mut Writer, rules: &mut LazyRules, mut batch: BatchUpdate) -> Result<()> {
    let updated_ids = ids_of(&batch.updated);
    let deleted_ids = ids_with_children(&w.budget, &ids_of(&batch.deleted))?;
    let offbudget = live_offbudget_accounts(&w.budget)?;
    let is_offbudget = |account: Option<&Value>| {
        account
            .and_then(Value::as_str)
            .is_some_and(|a| offbudget.iter().any(|(id, off)| id == a && *off))
    };

    // Offbudget transactions and parents have no category.
    let now = now_millis();
    let mut pending = Pending::default();
    let mut added_ids = Vec::with_capacity(batch.added.len());
    for t in &mut batch.added {
        if js::truthy(t.get("is_parent")) || is_offbudget(t.get("account")) {
            t.insert("category".into(), Value::Null);
        }
        added_ids.push(pending.insert_transaction(t, now)?);
    }
    for id in &deleted_ids {
        pending.delete_transaction(id);
    }
    for t in &mut batch.updated {
        if js::truthy(t.get("account"))
            && (js::truthy(t.get("is_parent")) || is_offbudget(t.get("account")))
        {
            t.insert("category".into(), Value::Null);
        }
        pending.update_transaction(t)?;
    }
    pending.apply(w)?;

    let all_added = transactions_by_ids(&w.budget, &added_ids)?;
    let all_updated = transactions_by_ids(&w.budget, &updated_ids)?;
    let all_deleted = transactions_by_ids(&w.budget, &deleted_ids)?;

    if batch.run_transfers {
        let mut pending = Pending::default();
        let mut transfer = super::transfer::Transfers::new(&w.budget, rules, &mut pending)?;
        for t in &all_added {
            transfer.on_insert(t)?;
        }
        for t in &all_updated {
            transfer.on_update(t)?;
        }
        for t in &all_deleted {
            transfer.on_delete(t)?;
        }
        pending.apply(w)?;
        // Payees the rules made for the counterparts (upstream writes them in this
        // batch).
        if let Some(rules) = rules.loaded() {
            rules.insert_new_payees(&mut w.changes)?;
        }
    }

    if batch.learn_categories {
        // Learned from the added and updated transactions that have a category.
        let ids: HashSet<String> = batch
            .added
            .iter()
            .chain(&batch.updated)
            .filter(|t| js::truthy(t.get("category")))
            .map(|t| js::to_string(t.get("id")))
            .collect();
        let learned: Vec<Obj> = all_added
            .iter()
            .chain(&all_updated)
            .filter(|t| ids.contains(&js::to_string(t.get("id"))))
            .cloned()
            .collect();
        let rules = rules.get(&w.budget)?;
        learn::update_category_rules(w, rules, &learned)?;
    }
    Ok(())
}

/// `idsWithChildren`: the ids, then their children's (dead ones too).
fn ids_with_children(b: &Budget, ids: &[String]) -> Result<Vec<String>> {
    let mut out = ids.to_vec();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT id FROM v_transactions_internal WHERE parent_id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let mut stmt = b.conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(ids), |r| r.get::<_, String>(0))?;
    for id in rows {
        let id = id?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The live accounts and whether each is off budget (`offbudget === 1`).
fn live_offbudget_accounts(b: &Budget) -> Result<Vec<(String, bool)>> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id, offbudget FROM accounts WHERE tombstone = 0")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            matches!(r.get_ref(1)?, rusqlite::types::ValueRef::Integer(1))
                || matches!(r.get_ref(1)?, rusqlite::types::ValueRef::Real(f) if f == 1.0),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `obj.key = null`, the key kept where it is or appended.
pub fn set_null(obj: &mut Obj, key: &str) {
    set(obj, key, Some(Value::Null));
}
