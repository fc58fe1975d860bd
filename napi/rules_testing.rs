//! For `__test__/rules.test.js` only (not part of the public API, not in `index.js`):
//! runs the native rules engine on transactions against a budget file, the way
//! upstream's `rules-run` handler does one by one, and rolls everything back.

use napi_derive::napi;
use serde_json::{json, Map, Value};

fn fail(message: String) -> napi::Error {
    napi::Error::from_reason(message)
}

/// `transactions` is a JSON array of transactions in upstream's public shape. Answers
/// a JSON array with, for each, `{ ok: transaction }` or `{ error: { code, message } }`,
/// and the payees rules created (`newPayees`, id -> name).
#[napi]
pub fn test_only_run_rules(db_path: String, transactions: String) -> napi::Result<String> {
    let list: Vec<Map<String, Value>> =
        serde_json::from_str(&transactions).map_err(|e| fail(e.to_string()))?;
    let db = actual_sync::BudgetDb::open(std::path::Path::new(&db_path))
        .map_err(|e| fail(e.to_string()))?;
    actual_budget::prepare(&db).map_err(|e| fail(e.to_string()))?;
    let conn = db.conn();
    // Rolled back whatever happens: the test only looks at what the rules answer.
    let _rolled_back = actual_sync::Transaction::begin(conn, "actual_rules_testing")
        .map_err(|e| fail(e.to_string()))?;
    let outcome = (|| {
        let mut clock = actual_sync::load_clock(conn).map_err(|e| fail(e.to_string()))?;
        let budget = actual_budget::Budget::new(conn);
        let rules = match actual_budget::rules::Rules::load(&budget) {
            Ok(r) => r,
            Err(e) => {
                return Ok(json!({ "loadError": { "code": e.code(), "message": e.to_string() } }))
            }
        };
        let mut writer = actual_budget::Writer {
            budget,
            changes: actual_budget::Changes::new(conn, &mut clock),
        };
        let mut results = Vec::new();
        let mut created = Map::new();
        for t in list {
            results.push(match rules.run(&writer.budget, t) {
                Ok(out) => json!({ "ok": out }),
                Err(e) => json!({ "error": { "code": e.code(), "message": e.to_string() } }),
            });
            let written = rules
                .insert_new_payees(&mut writer.changes)
                .map_err(|e| fail(e.to_string()))?;
            for p in written {
                created.insert(p.id, Value::String(p.name));
            }
        }
        Ok::<_, napi::Error>(json!({ "results": results, "newPayees": created }))
    })();
    Ok(outcome?.to_string())
}

/// Runs one rule formula natively on a transaction's fields (`fields`, a JSON object)
/// with `today` ('YYYY-MM-DD'), as upstream's `executeFormulaSync` would: answers
/// `{ ok: value }`, `{ error: message }` (what upstream throws) or
/// `{ unsupported: what }` (a formula or a value the engine refuses).
#[napi]
pub fn test_only_run_formula(
    formula: String,
    fields: String,
    today: String,
) -> napi::Result<String> {
    use actual_budget::rules::error::RuleError;
    use actual_budget::rules::formula::Formula;
    let fields: Map<String, Value> =
        serde_json::from_str(&fields).map_err(|e| fail(e.to_string()))?;
    let answer = match Formula::compile(&formula).and_then(|f| f.execute(&fields, &today)) {
        Ok(Ok(value)) => json!({ "ok": value }),
        Ok(Err(message)) => json!({ "error": message }),
        Err(RuleError::Unsupported(what)) => json!({ "unsupported": what }),
        Err(other) => json!({ "unsupported": format!("{other:?}") }),
    };
    Ok(answer.to_string())
}
