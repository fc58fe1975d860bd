//! Rules: `getRules()` and `getPayeeRules(id)` (`server/rules/app.ts` getRules,
//! `server/payees/app.ts` getPayeeRules over `server/transactions/transaction-rules.ts`).
//!
//! Upstream answers both from the rules it loaded into memory when the budget was opened
//! (`loadRules`: live rows with both columns set, each built and checked, the ones that
//! fail left out, ids mapped through the mapping tables) and kept up to date on sync.
//! They are built here the same way from the database.
//!
//! One case is answered as a fresh load answers it: a rule that sync turns from valid
//! into one upstream rejects stays in upstream's memory in its old form until the next
//! load; here it is left out, as that next load leaves it out.

pub mod date_values;
pub mod fields;
pub mod model;
mod rank;
mod template;

use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::rows::plain;
use crate::{Budget, BudgetError, Result};
use model::{build_rule, migrate_ids, parse_row, stage_of, Built, Mappings, Rule};
pub use rank::rank_rules;

/// `loadMappings`: category mappings, then payee mappings (a later id wins).
pub fn load_mappings(b: &Budget) -> Result<Mappings> {
    let mut mappings = Mappings::new();
    for sql in [
        "SELECT id, transferId FROM category_mapping",
        "SELECT id, targetId FROM payee_mapping",
    ] {
        let mut stmt = b.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let ValueRef::Text(id) = row.get_ref(0)? else {
                return Err(BudgetError::Unsupported(
                    "a mapping table row whose id is not text".into(),
                ));
            };
            mappings.insert(
                String::from_utf8_lossy(id).into_owned(),
                plain(row.get_ref(1)?),
            );
        }
    }
    Ok(mappings)
}

/// What upstream does with a rule it cannot build: a rule error leaves the rule out;
/// anything else stops the budget from loading.
pub fn unsupported_rule(id: &str, built: &Built<impl Sized>) -> Option<BudgetError> {
    match built {
        Built::Fatal(why) => Some(BudgetError::Unsupported(format!(
            "rule {id}: {why} (upstream cannot load this budget)"
        ))),
        Built::Unknown(why) => Some(BudgetError::Unsupported(format!("rule {id}: {why}"))),
        Built::Ok(_) | Built::Invalid => None,
    }
}

/// A row's id, which upstream keys its rules by; only text ids are handled.
pub fn rule_id(v: ValueRef<'_>) -> Result<String> {
    match v {
        ValueRef::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
        _ => Err(BudgetError::Unsupported(
            "a rule whose id is not text".into(),
        )),
    }
}

/// `loadRules`: the rules upstream holds in memory, in no particular order.
pub fn load_rules(b: &Budget) -> Result<Vec<Rule>> {
    let mappings = load_mappings(b)?;
    let mut stmt = b.conn.prepare_cached(
        "SELECT id, stage, conditions_op, conditions, actions FROM rules
           WHERE conditions IS NOT NULL AND actions IS NOT NULL AND tombstone = 0",
    )?;
    let mut rows = stmt.query([])?;
    let mut rules = Vec::new();
    while let Some(row) = rows.next()? {
        let id = rule_id(row.get_ref(0)?)?;
        let raw = match parse_row(row.get_ref(3)?, row.get_ref(4)?) {
            Built::Ok(raw) => raw,
            other => match unsupported_rule(&id, &other) {
                Some(e) => return Err(e),
                None => continue,
            },
        };
        let stage = stage_of(row.get_ref(1)?);
        let conditions_op = plain(row.get_ref(2)?);
        match build_rule(id.clone(), stage, conditions_op, &raw) {
            Built::Ok(mut rule) => {
                migrate_ids(&mut rule, &mappings);
                rules.push(rule);
            }
            other => {
                if let Some(e) = unsupported_rule(&id, &other) {
                    return Err(e);
                }
            }
        }
    }
    Ok(rules)
}

fn serialize_ranked<'r>(rules: impl IntoIterator<Item = &'r Rule>) -> Value {
    Value::Array(rank_rules(rules).into_iter().map(Rule::serialize).collect())
}

/// `getRules()`: every rule, ranked.
pub fn get_rules(b: &Budget, _args: &Value) -> Result<Value> {
    Ok(serialize_ranked(&load_rules(b)?))
}

/// Whether `rule` names `id` as a payee (`iterateIds(rules, 'payee', ...)`): in an
/// `is`, `isNot`, `oneOf` or `notOneOf` payee condition, or a `set` payee action, with
/// the ids as mapped. `None` is `undefined`; upstream compares with `===`.
fn names_payee(rule: &Rule, id: Option<&Value>) -> bool {
    let eq = |v: Option<&Value>| crate::json::strict_equals(v, id);
    let in_conditions = rule
        .conditions
        .iter()
        .filter(|c| c.type_name == "id" && c.field == "payee")
        .any(|c| match c.op.as_str() {
            "is" | "isNot" => eq(c.value.as_ref()),
            "oneOf" | "notOneOf" => c
                .value
                .as_ref()
                .and_then(Value::as_array)
                .is_some_and(|items| items.iter().any(|v| eq(Some(v)))),
            _ => false,
        });
    in_conditions
        || rule.actions.iter().any(|a| {
            a.type_name == Some("id")
                && a.field.as_ref().and_then(Value::as_str) == Some("payee")
                && a.op == "set"
                && eq(a.value.as_ref())
        })
}

/// `getPayeeRules(id)`: the rules that name the payee, ranked.
pub fn get_payee_rules(b: &Budget, args: &Value) -> Result<Value> {
    let id = args.get("id");
    let rules = load_rules(b)?;
    Ok(serialize_ranked(
        rules.iter().filter(|r| names_payee(r, id)),
    ))
}
