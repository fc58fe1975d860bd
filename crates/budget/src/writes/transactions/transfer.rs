//! Transfers (`server/transactions/transfer.ts`): a transaction whose payee is an
//! account's transfer payee gets a counterpart in that account, kept in step when
//! it changes and removed with it.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde_json::{json, Value};

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};

use super::batch_state::{get_transaction, now_millis, LazyRules, Pending};

pub struct Transfers<'a, 'b> {
    b: &'a Budget<'b>,
    rules: &'a mut LazyRules,
    pending: &'a mut Pending,
    /// The transfer payees `v_payees` shows, and their accounts.
    transfer_payees: HashMap<String, String>,
}

fn id_of(t: &Obj) -> String {
    js::to_string(t.get("id"))
}

fn obj(v: Value) -> Obj {
    match v {
        Value::Object(o) => o,
        _ => Obj::new(),
    }
}

impl<'a, 'b> Transfers<'a, 'b> {
    pub fn new(
        b: &'a Budget<'b>,
        rules: &'a mut LazyRules,
        pending: &'a mut Pending,
    ) -> Result<Self> {
        let mut stmt = b
            .conn
            .prepare_cached("SELECT id, transfer_acct FROM v_payees WHERE transfer_acct IS NOT NULL AND transfer_acct != ''")?;
        let transfer_payees = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Transfers {
            b,
            rules,
            pending,
            transfer_payees,
        })
    }

    /// `getTransferredAccount`: the account the payee transfers to
    /// (`SELECT transfer_acct FROM v_payees WHERE id = ?`).
    fn transferred_account(&self, t: &Obj) -> Result<Option<String>> {
        let Some(Value::String(payee)) = t.get("payee") else {
            return Ok(None);
        };
        Ok(self.transfer_payees.get(payee).cloned())
    }

    /// The transfer payee of an account (`SELECT * FROM payees WHERE transfer_acct = ?`).
    fn transfer_payee(&self, account: Option<&Value>) -> Result<String> {
        let payee: Option<String> = self
            .b
            .conn
            .query_row(
                "SELECT id FROM payees WHERE transfer_acct = ?",
                [js::to_string(account)],
                |r| r.get(0),
            )
            .optional()?;
        // Upstream fails destructuring the missing row.
        payee.ok_or_else(|| {
            BudgetError::Unsupported("a transfer from an account without a transfer payee".into())
        })
    }

    fn offbudget(&self, account: &str) -> Result<Value> {
        let v: Option<Value> = self
            .b
            .conn
            .query_row(
                "SELECT offbudget FROM accounts WHERE id = ?",
                [account],
                |r| Ok(crate::foundation::js::sqlite::plain(r.get_ref(0)?)),
            )
            .optional()?;
        v.ok_or_else(|| BudgetError::Unsupported("a transfer with an unknown account".into()))
    }

    /// `clearCategory`: a transfer between two on-budget (or two off-budget)
    /// accounts has no category.
    fn clear_category(&mut self, t: &Obj, transfer_acct: &str) -> Result<()> {
        let from = self.offbudget(&js::to_string(t.get("account")))?;
        let to = self.offbudget(transfer_acct)?;
        if js::strict_eq(Some(&from), Some(&to)) {
            self.pending
                .update_transaction(&obj(json!({ "id": t["id"], "category": null })))?;
            if js::truthy(t.get("transfer_id")) {
                self.pending.update_transaction(&obj(
                    json!({ "id": t["transfer_id"], "category": null }),
                ))?;
            }
        }
        Ok(())
    }

    /// `addTransfer`.
    fn add(&mut self, t: &Obj, transfer_acct: &str) -> Result<()> {
        if js::truthy(t.get("is_parent")) {
            // Splits transfer through their children.
            return Ok(());
        }
        let from_payee = self.transfer_payee(t.get("account"))?;
        let amount = -t.get("amount").and_then(Value::as_f64).unwrap_or(f64::NAN);
        let mut transfer = Obj::new();
        transfer.insert("account".into(), Value::from(transfer_acct));
        transfer.insert("amount".into(), js::number(amount));
        transfer.insert("payee".into(), Value::from(from_payee));
        crate::foundation::js::set(&mut transfer, "date", t.get("date").cloned());
        crate::foundation::js::set(&mut transfer, "transfer_id", t.get("id").cloned());
        transfer.insert(
            "notes".into(),
            js::or(t.get("notes"), None).cloned().unwrap_or(Value::Null),
        );
        crate::foundation::js::set(&mut transfer, "schedule", t.get("schedule").cloned());
        transfer.insert("cleared".into(), Value::Bool(false));
        super::balance_query::check(&transfer)?;
        let ruled = self.rules.get(self.b)?.run(self.b, transfer.clone())?;
        let schedule = js::nullish(ruled.get("schedule"), t.get("schedule")).cloned();
        crate::foundation::js::set(&mut transfer, "notes", ruled.get("notes").cloned());
        crate::foundation::js::set(&mut transfer, "cleared", ruled.get("cleared").cloned());
        crate::foundation::js::set(&mut transfer, "schedule", schedule.clone());
        let id = self.pending.insert_transaction(&transfer, now_millis())?;
        let mut link = obj(json!({ "id": t["id"], "transfer_id": id }));
        if let Some(s) = schedule.filter(|s| js::truthy(Some(s))) {
            link.insert("schedule".into(), s);
        }
        self.pending.update_transaction(&link)?;
        self.clear_category(t, transfer_acct)
    }

    /// `removeTransfer`.
    fn remove(&mut self, t: &Obj) -> Result<()> {
        let other = match t.get("transfer_id").and_then(Value::as_str) {
            Some(id) => get_transaction(self.b, id)?,
            None => None,
        };
        if let Some(other) = other {
            if js::truthy(other.get("is_child")) {
                // Deleting a child would break its split: it becomes a plain child.
                self.pending.update_transaction(&obj(
                    json!({ "id": t["transfer_id"], "transfer_id": null, "payee": null }),
                ))?;
            } else {
                self.pending.delete_transaction(&id_of(&other));
            }
        }
        self.pending
            .update_transaction(&obj(json!({ "id": t["id"], "transfer_id": null })))
    }

    /// `updateTransfer`.
    fn update(&mut self, t: &Obj, transfer_acct: &str) -> Result<()> {
        let payee = self.transfer_payee(t.get("account"))?;
        let mut other = Obj::new();
        other.insert("id".into(), t["transfer_id"].clone());
        other.insert("account".into(), Value::from(transfer_acct));
        other.insert("payee".into(), Value::from(payee));
        crate::foundation::js::set(&mut other, "notes", t.get("notes").cloned());
        let amount = -t.get("amount").and_then(Value::as_f64).unwrap_or(f64::NAN);
        other.insert("amount".into(), js::number(amount));
        crate::foundation::js::set(&mut other, "schedule", t.get("schedule").cloned());
        self.pending.update_transaction(&other)?;
        self.clear_category(t, transfer_acct)
    }

    /// `onInsert`.
    pub fn on_insert(&mut self, t: &Obj) -> Result<()> {
        match self.transferred_account(t)? {
            Some(acct) => self.add(t, &acct),
            None => Ok(()),
        }
    }

    /// `onDelete`.
    pub fn on_delete(&mut self, t: &Obj) -> Result<()> {
        if js::truthy(t.get("transfer_id")) {
            self.remove(t)?;
        }
        Ok(())
    }

    /// `onUpdate`.
    pub fn on_update(&mut self, t: &Obj) -> Result<()> {
        let acct = self.transferred_account(t)?;
        let linked = js::truthy(t.get("transfer_id"));
        if js::truthy(t.get("is_parent")) {
            return self.remove(t);
        }
        match (acct, linked) {
            (Some(acct), false) => self.add(t, &acct),
            (None, true) => self.remove(t),
            (Some(acct), true) => self.update(t, &acct),
            (None, false) => Ok(()),
        }
    }
}
