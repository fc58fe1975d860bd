//! learnCategories (`server/transactions/transaction-rules.ts` updateCategoryRules,
//! getProbableCategory, getIsSetterRules): after `addTransactions(..., {
//! learnCategories: true })`, a payee whose latest five transactions (among those of
//! the last 180 days before the oldest added one to 180 days ahead, in open accounts,
//! for payees that learn) include an added one, and whose most frequent category there
//! holds at least three of them, gets a default-stage rule `payee is X -> set category`
//! (existing such rules are changed instead).

use std::collections::{HashMap, HashSet};

use chrono::Duration;
use serde_json::{Map, Value};

use super::stored::serialize_list;
use super::Rules;
use crate::foundation::budget::Writer;
use crate::foundation::changes::uuid_v4;
use crate::foundation::dates::{day_string, parse_date_like, to_date_repr};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::json;
use actual_sync::Value as Cell;

/// getProbableCategory: the category of the first transaction with the highest count
/// (a first transaction without a category wins against every later one, as
/// upstream's comparison with an undefined score never succeeds), if it has three.
fn probable_category(transactions: &[(String, Value)]) -> Option<Value> {
    let mut scores: HashMap<String, u32> = HashMap::new();
    for (_, category) in transactions {
        if let Some(c) = category.as_str().filter(|c| !c.is_empty()) {
            *scores.entry(c.to_string()).or_default() += 1;
        }
    }
    let score_of = |c: &Value| c.as_str().and_then(|c| scores.get(c).copied());
    let mut winner: Option<(Option<u32>, &Value)> = None;
    for (_, category) in transactions {
        let score = score_of(category);
        winner = match winner {
            None => Some((score, category)),
            Some((best, c)) => match (score, best) {
                (Some(s), Some(b)) if s > b => Some((score, category)),
                _ => Some((best, c)),
            },
        };
    }
    match winner {
        Some((Some(score), category)) if score >= 3 => Some(category.clone()),
        _ => None,
    }
}

/// updateCategoryRules(transactions): `transactions` are the added and updated ones
/// that have a category, in upstream's public shape (`id`, `payee`, `date`).
pub fn update_category_rules(
    w: &mut Writer,
    rules: &Rules,
    transactions: &[Map<String, Value>],
) -> Result<()> {
    if transactions.is_empty() {
        return Ok(());
    }
    let mut payee_ids: Vec<&Value> = Vec::new();
    for t in transactions {
        let p = t.get("payee").unwrap_or(&Value::Null);
        if !payee_ids
            .iter()
            .any(|x| json::strict_eq(x, p) || (x.is_null() && p.is_null()))
        {
            payee_ids.push(p);
        }
    }
    let trans_ids: HashSet<&str> = transactions
        .iter()
        .filter_map(|t| t.get("id").and_then(Value::as_str))
        .collect();
    let mut oldest: Option<&str> = None;
    for t in transactions {
        if let Some(d) = t.get("date").and_then(Value::as_str) {
            if oldest.is_none_or(|o| json::utf16_cmp(d, o).is_lt()) {
                oldest = Some(d);
            }
        }
    }
    let day = |s: &str, days: i64| {
        parse_date_like(&Value::String(s.to_string()))
            .map(|d| day_string(d + Duration::days(days)))
            .ok_or_else(crate::foundation::dates::invalid_time_value)
    };
    let from = day(oldest.unwrap_or(""), -180)?;
    let to = day(&day_string(w.budget.now.date()), 180)?;
    let mut by_payee: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    {
        let mut stmt = w.budget.conn.prepare_cached(
            "SELECT t.id, t.payee, t.category FROM v_transactions t
               LEFT JOIN accounts a ON a.id = t.account
               LEFT JOIN payees p ON p.id = t.payee
               WHERE date >= ? AND date <= ? AND is_parent = 0 AND a.closed = 0 AND p.learn_categories = 1
               ORDER BY date DESC",
        )?;
        let mut rows = stmt.query([to_date_repr(&from), to_date_repr(&to)])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let payee: Option<String> = r.get(1)?;
            let category: Option<String> = r.get(2)?;
            if let Some(p) = payee {
                by_payee
                    .entry(p)
                    .or_default()
                    .push((id, category.map_or(Value::Null, Value::String)));
            }
        }
    }
    let mut to_set: Vec<(String, Value)> = Vec::new();
    for payee in payee_ids {
        let Some(payee) = payee.as_str().filter(|p| !p.is_empty()) else {
            continue;
        };
        let latest: Vec<(String, Value)> = by_payee
            .get(payee)
            .map(|l| l.iter().take(5).cloned().collect())
            .unwrap_or_default();
        if latest.iter().any(|(id, _)| trans_ids.contains(id.as_str())) {
            if let Some(category) = probable_category(&latest) {
                to_set.push((payee.to_string(), category));
            }
        }
    }
    for (payee, category) in to_set {
        let setters: Vec<Value> = rules
            .in_load_order()
            .filter(|r| {
                r.stage_value.is_null()
                    && r.actions.len() == 1
                    && r.actions[0].op == super::action::ActionOp::Set
                    && r.actions[0].field.as_ref().and_then(Value::as_str) == Some("category")
                    && r.conditions.len() == 1
                    && matches!(r.conditions[0].op.as_str(), "is" | "isNot")
                    && r.conditions[0].field == "payee"
                    && matches!(&r.conditions[0].value, super::condition::Parsed::Plain(v) if v.as_str() == Some(payee.as_str()))
            })
            .map(|r| r.serialize())
            .collect();
        if setters.is_empty() {
            let condition =
                serde_json::json!({"op": "is", "field": "payee", "value": payee, "type": "id"});
            let action = serde_json::json!({"op": "set", "field": "category", "value": category, "type": "id"});
            w.changes.insert(
                "rules",
                &uuid_v4(),
                vec![
                    ("stage", Cell::Null),
                    ("conditions_op", Cell::String("and".into())),
                    ("conditions", Cell::String(serialize_list(&[condition]))),
                    ("actions", Cell::String(serialize_list(&[action]))),
                ],
            )?;
            continue;
        }
        for rule in setters {
            let action = &rule["actions"][0];
            if json::strict_eq(&action["value"], &category) {
                continue;
            }
            let mut action = action.as_object().cloned().unwrap_or_default();
            action.insert("value".into(), category.clone());
            // transaction-rules updateRule: ruleModel.validate({ update: true }).
            let op = &rule["conditionsOp"];
            if !matches!(op.as_str(), Some("and" | "or")) {
                return Err(BudgetError::invalid(
                    "invalid-rule",
                    format!("Invalid rule conditionsOp: {}", json::to_string(op)),
                ));
            }
            let conditions = rule["conditions"].as_array().cloned().unwrap_or_default();
            w.changes.update(
                "rules",
                rule["id"].as_str().unwrap_or(""),
                vec![
                    ("stage", Cell::Null),
                    ("conditions_op", Cell::String(json::to_string(op))),
                    ("conditions", Cell::String(serialize_list(&conditions))),
                    (
                        "actions",
                        Cell::String(serialize_list(&[Value::Object(action)])),
                    ),
                ],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(c: Value) -> (String, Value) {
        (String::new(), c)
    }

    #[test]
    fn probable_category_follows_upstreams_reduce() {
        assert_eq!(
            probable_category(&[t(json!("a")), t(json!("b")), t(json!("a")), t(json!("a"))]),
            Some(json!("a"))
        );
        assert_eq!(
            probable_category(&[t(json!("b")), t(json!("a")), t(json!("a")), t(json!("a"))]),
            Some(json!("a"))
        );
        // A first transaction without a category: nothing later can win.
        assert_eq!(
            probable_category(&[t(Value::Null), t(json!("a")), t(json!("a")), t(json!("a"))]),
            None
        );
        assert_eq!(probable_category(&[t(json!("a")), t(json!("a"))]), None);
    }
}
