//! A rule action's formula (`options.formula`), run as upstream's
//! `Action.executeFormulaSync` runs it in HyperFormula (`server/rules/action.ts`): every
//! field of the transaction a named expression (read as cell content: dates and
//! numeric texts become numbers), `today`, `account_name`, `category_name`; a number
//! result rounded to cents and multiplied by 100 (`amountToInteger`), an error result
//! thrown as `Formula error: <message>`.
//!
//! - [`parse`]: the grammar; [`value`]: values, coercions, dates;
//! - [`eval`]: operators; [`functions`]: the functions run here;
//! - [`apply`]: the action's use of the result and the `_ruleErrors` it records.
//!
//! A formula outside this subset (another function, cell references, ranges, arrays)
//! is refused when the rule is built; what only the data decides (a field holding text
//! that HyperFormula would read as a formula, an error or a time, texts compared by
//! order) is refused when the action runs, before anything is written.

mod context;
mod eval;
mod functions;
mod parse;
mod value;

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::RuleError;
use parse::Ast;
use value::V;

/// `options.formula` compiled; the reason when it is not run here.
pub fn compile_formula(f: &Value) -> Result<Formula, String> {
    match f {
        Value::String(text) => Formula::compile(text).map_err(|e| match e {
            RuleError::Unsupported(why) => why,
            other => format!("a formula that fails to build ({other:?})"),
        }),
        _ => Err("a formula that is not text".into()),
    }
}

/// A compiled formula. `None` when the text does not start with `=` (upstream throws
/// `Formula must start with =` each time it runs).
#[derive(Debug, Clone)]
pub struct Formula {
    ast: Option<Ast>,
}

fn check_functions(ast: &Ast) -> Result<(), RuleError> {
    match ast {
        Ast::Call(name, args) => {
            if !functions::is_supported(name) {
                return Err(RuleError::Unsupported(format!(
                    "a formula with the function {name}"
                )));
            }
            args.iter().try_for_each(check_functions)
        }
        Ast::Neg(a) | Ast::Plus(a) | Ast::Percent(a) => check_functions(a),
        Ast::Bin(_, l, r) => {
            check_functions(l)?;
            check_functions(r)
        }
        Ast::Num(_) | Ast::Str(_) | Ast::Name(_) => Ok(()),
    }
}

impl Formula {
    /// Parses `text`; Unsupported when it is outside the subset run here.
    pub fn compile(text: &str) -> Result<Formula, RuleError> {
        let Some(body) = text.strip_prefix('=') else {
            return Ok(Formula { ast: None });
        };
        let ast = parse::parse(body)?;
        check_functions(&ast)?;
        Ok(Formula { ast: Some(ast) })
    }

    /// `executeFormulaSync(formula, object)`: `Ok(Err(message))` is the error upstream
    /// throws (and the action records); `Err` is Unsupported.
    pub fn execute(
        &self,
        object: &Map<String, Value>,
        today: &str,
    ) -> Result<Result<Value, String>, RuleError> {
        let Some(ast) = &self.ast else {
            return Ok(Err("Formula must start with =".into()));
        };
        let cx = context(object, today)?;
        Ok(match eval::evaluate(ast, &cx)? {
            V::Num(n) => {
                let cents =
                    crate::foundation::js::json::math_round(cell_value_rounding(n)? * 100.0)
                        / 100.0;
                Ok(crate::foundation::js::json::number(
                    crate::foundation::js::json::math_round(cents * 100.0),
                ))
            }
            V::Str(s) => Ok(Value::String(s)),
            V::Bool(b) => Ok(Value::Bool(b)),
            V::Err(message) => Err(format!("Formula error: {message}")),
        })
    }
}

/// `Exporter.cellValueRounding` (`precisionRounding` 10 significant decimals).
fn cell_value_rounding(value: f64) -> Result<f64, RuleError> {
    if value == 0.0 {
        return Ok(value);
    }
    let exponent = value.abs().log10().floor();
    let Some(multiplier) = value::js_pow10(10.0 - exponent) else {
        return Err(RuleError::Unsupported(format!(
            "a formula whose result is out of range ({value})"
        )));
    };
    Ok(if value < 0.0 {
        -crate::foundation::js::json::math_round(-value * multiplier) / multiplier
    } else {
        crate::foundation::js::json::math_round(value * multiplier) / multiplier
    })
}

/// The named expressions `executeFormulaSync` adds: the object's fields (but
/// `_balanceOfPrefetched`), then `today`, `account_name`, `category_name`; and the
/// prefetched balances.
fn context(object: &Map<String, Value>, today: &str) -> Result<context::Context, RuleError> {
    let mut fields: Vec<(String, Value)> = object
        .iter()
        .filter(|(k, _)| k.as_str() != "_balanceOfPrefetched")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let text_or_empty = |key: &str| match object.get(key) {
        Some(v) if crate::foundation::js::is_truthy(v) => v.clone(),
        _ => Value::String(String::new()),
    };
    let extra = [
        ("today", Value::String(today.to_string())),
        ("account_name", text_or_empty("_account_name")),
        ("category_name", text_or_empty("_category_name")),
    ];
    for (key, v) in extra {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = v,
            None => fields.push((key.to_string(), v)),
        }
    }
    let mut names = HashMap::new();
    for (key, raw) in fields {
        if !parse::is_valid_name(&key) {
            return Err(RuleError::Unsupported(format!(
                "a formula on a transaction with the field {key:?}"
            )));
        }
        let lower = key.to_lowercase();
        if names.contains_key(&lower) {
            return Err(RuleError::Unsupported(format!(
                "a formula on a transaction with two fields named {key:?}"
            )));
        }
        let v = value::cell_content(&raw).map_err(|e| match e {
            RuleError::Unsupported(why) => format!("{why} ({key})"),
            other => format!("{other:?}"),
        });
        // A field holding a formula is one HyperFormula evaluates (or rejects) as it
        // is added, whether read or not.
        if raw.as_str().is_some_and(|s| s.starts_with('=')) {
            return Err(RuleError::Unsupported(format!(
                "a formula on a transaction whose {key} starts with '='"
            )));
        }
        names.insert(lower, v);
    }
    let balances = object
        .get("_balanceOfPrefetched")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap_or(0.0)))
                .collect()
        })
        .unwrap_or_default();
    let today_serial = match value::date_string(today)? {
        Some(n) => n,
        None => return Err(RuleError::Unsupported("a formula on an odd today".into())),
    };
    Ok(context::Context {
        names,
        today: today_serial,
        balances,
    })
}

/// The distinct `BALANCE_OF("…")` literals of `formula`, decoded
/// (`extractBalanceOfLiterals`: the name in any case, `\"` and `\\` escapes).
pub fn balance_of_literals(formula: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = formula.chars().collect();
    let upper: Vec<char> = chars.iter().map(char::to_ascii_uppercase).collect();
    let name: Vec<char> = "BALANCE_OF".chars().collect();
    let mut i = 0;
    while i + name.len() <= chars.len() {
        if upper[i..i + name.len()] != name[..] {
            i += 1;
            continue;
        }
        let mut j = i + name.len();
        let skip_ws = |j: &mut usize| {
            while *j < chars.len() && chars[*j].is_whitespace() {
                *j += 1;
            }
        };
        skip_ws(&mut j);
        if chars.get(j) != Some(&'(') {
            i += 1;
            continue;
        }
        j += 1;
        skip_ws(&mut j);
        if chars.get(j) != Some(&'"') {
            i += 1;
            continue;
        }
        j += 1;
        let mut raw = String::new();
        let mut closed = false;
        while j < chars.len() {
            match chars[j] {
                '\\' if j + 1 < chars.len() => {
                    raw.push('\\');
                    raw.push(chars[j + 1]);
                    j += 2;
                }
                '"' => {
                    closed = true;
                    j += 1;
                    break;
                }
                c => {
                    raw.push(c);
                    j += 1;
                }
            }
        }
        let mut k = j;
        skip_ws(&mut k);
        if closed && chars.get(k) == Some(&')') {
            let decoded = raw.replace("\\\"", "\"").replace("\\\\", "\\");
            if !out.contains(&decoded) {
                out.push(decoded);
            }
            i = k + 1;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(formula: &str, fields: Value) -> Result<Value, String> {
        let f = Formula::compile(formula).expect("supported");
        f.execute(fields.as_object().unwrap(), "2024-03-15")
            .expect("runs")
    }

    #[test]
    fn results_are_cents_times_100() {
        assert_eq!(
            run("=amount*2", json!({ "amount": -1250 })),
            Ok(json!(-250000))
        );
        assert_eq!(run("=0.1+0.2", json!({})), Ok(json!(30)));
        assert_eq!(run("=1/0", json!({})), Err("Formula error: ".into()));
        assert_eq!(
            run("=notes&\"!\"", json!({ "notes": null })),
            Ok(json!("!"))
        );
        assert_eq!(
            run("=no_such", json!({})),
            Err("Formula error: Named expression no_such not recognized.".into())
        );
        assert_eq!(
            run("=date", json!({ "date": "2024-01-05" })),
            Ok(json!(4529600))
        );
    }

    #[test]
    fn literals_for_the_prefetch() {
        let mut out = Vec::new();
        balance_of_literals(
            "=balance_of(\"Checking\") + BALANCE_OF( \"a\\\"b\" )",
            &mut out,
        );
        assert_eq!(out, vec!["Checking".to_string(), "a\"b".to_string()]);
    }
}
