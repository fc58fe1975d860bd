//! Rule conditions: upstream's `Condition` (`server/rules/condition.ts`): the checks its
//! constructor makes (each failure a `RuleError` type, which `createRule` reports and
//! loading skips the rule for), the parsed value, and `eval` on a transaction.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Map, Value};

use super::error::RuleError;
use super::fields::{field_type, is_valid_op, FieldType};
use super::recurrence::{RecurError, Recurrence};
use crate::foundation::dates::{day_string, parse_date_like};
use crate::foundation::js;
use crate::foundation::js::{json, regexp};

/// A condition's value after its type's `parse`.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// `id` and `boolean` values as given; `string` values lower-cased.
    Plain(Value),
    /// `oneOf` / `notOneOf` / `and`: ids as given, strings lower-cased (falsy ones dropped).
    List(Vec<Value>),
    /// `matches`: the compiled pattern, or `None` for one JavaScript refuses (it never
    /// matches: upstream catches the SyntaxError).
    Matches(Option<Box<regress::Regex>>),
    /// `hasTags` / `hasAnyTag`: the `#tags` of the value, lower-cased.
    Tags(Vec<String>),
    Literal(f64),
    Between(f64, f64),
    Day(String),
    Month(String),
    Year(String),
    Recur(Box<Recurrence>),
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub op: String,
    pub field: String,
    pub ty: FieldType,
    /// `rawValue`: as stored, before any id mapping (`None`: undefined).
    pub raw: Option<Value>,
    /// `unparsedValue`: what `serialize` shows (mapped ids for `is`/`isNot`/`oneOf`/
    /// `notOneOf` on id fields).
    pub unparsed: Option<Value>,
    pub value: Parsed,
    /// `options`, when the condition has them.
    pub options: Option<Value>,
    /// Why evaluating this condition would not be exact (a value that converts unlike
    /// any the engine follows, a regular expression it cannot run): loading the rules
    /// for a run refuses it; reading or storing the rule does not need it.
    pub unsupported: Option<String>,
}

fn rule(kind: &'static str) -> RuleError {
    RuleError::Rule(kind)
}

/// `parseDateString`: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` that date-fns' `parseISO` reads
/// as a real date. Other strings of those lengths may still be ISO forms `parseISO`
/// takes (week dates, six-digit years, times): not followed here.
fn parse_date_string(s: &str) -> Result<Option<Parsed>, RuleError> {
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let shape = match s.len() {
        10 => parts.len() == 3 && digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2),
        7 => parts.len() == 2 && digits(parts[0], 4) && digits(parts[1], 2),
        4 => parts.len() == 1 && digits(parts[0], 4),
        _ => return Ok(None),
    };
    if !shape {
        // parseISO reads ISO 8601 forms beyond these; which ones it takes is not ported.
        if s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Ok(None);
        }
        return Err(RuleError::Unsupported(format!(
            "a rule date value in a form other than YYYY-MM-DD, YYYY-MM or YYYY ({s})"
        )));
    }
    let n = |p: &str| p.parse::<u32>().unwrap_or(0);
    let year = n(parts[0]) as i32;
    let month = parts.get(1).map_or(1, |p| n(p));
    let day = parts.get(2).map_or(1, |p| n(p));
    if NaiveDate::from_ymd_opt(year, month, day).is_none() {
        return Ok(None);
    }
    Ok(Some(match s.len() {
        10 => Parsed::Day(s.to_string()),
        7 => Parsed::Month(s.to_string()),
        _ => Parsed::Year(s.to_string()),
    }))
}

/// `extractTagsForFilter`: the unique words of the value, each with one leading `#`.
pub fn extract_tags(value: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(&c) = chars.peek() {
        if json::is_js_space(c) {
            chars.next();
            continue;
        }
        // `#*([^#\s]+)`
        while chars.peek() == Some(&'#') {
            chars.next();
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c == '#' || json::is_js_space(c) {
                break;
            }
            word.push(c);
            chars.next();
        }
        if !word.is_empty() {
            let tag = format!("#{word}");
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags
}

/// JavaScript's `(?<!#)tag([\s#]|$)` test: `tag` somewhere in `text`, not right after a
/// `#`, and followed by whitespace, a `#` or the end.
fn has_tag(text: &str, tag: &str) -> bool {
    let units: Vec<u16> = text.encode_utf16().collect();
    let needle: Vec<u16> = tag.encode_utf16().collect();
    if needle.is_empty() || needle.len() > units.len() {
        return needle.is_empty();
    }
    (0..=units.len() - needle.len()).any(|i| {
        units[i..i + needle.len()] == needle[..]
            && (i == 0 || units[i - 1] != u16::from(b'#'))
            && match units.get(i + needle.len()) {
                None => true,
                Some(&u) => {
                    u == u16::from(b'#')
                        || char::from_u32(u32::from(u)).is_some_and(json::is_js_space)
                }
            }
    })
}

/// `new RegExp(pattern)` for a `matches` condition.
pub(crate) fn compile_pattern(pattern: &str) -> Result<Option<Box<regress::Regex>>, RuleError> {
    regexp::new_regexp(pattern)
        .map_err(|why| RuleError::Unsupported(format!("a matches condition with {why}")))
}

impl Condition {
    /// `new Condition(op, field, value, options)`. `value` is `None` when undefined.
    pub fn new(
        op: Option<&Value>,
        field: Option<&Value>,
        value: Option<&Value>,
        options: Option<&Value>,
    ) -> Result<Condition, RuleError> {
        let field_name = field.and_then(Value::as_str).unwrap_or("");
        let Some(ty) = field.and_then(Value::as_str).and_then(field_type) else {
            return Err(rule("internal"));
        };
        if ty == FieldType::Saved {
            return Err(rule("internal"));
        }
        let op_name = op.and_then(Value::as_str).unwrap_or("");
        if !op.is_some_and(Value::is_string) || !is_valid_op(field_name, op_name) {
            return Err(rule("internal"));
        }
        let nullish = value.is_none_or(Value::is_null);
        if matches!(ty, FieldType::Date | FieldType::Number | FieldType::Boolean) && nullish {
            return Err(rule("no-null"));
        }
        let mut unsupported = None;
        if value.is_none() && ty == FieldType::Id && !matches!(op_name, "onBudget" | "offBudget") {
            // `undefined` compares and converts unlike null (`/(?:)/`, "undefined").
            unsupported = Some(format!("a rule condition on {field_name} without a value"));
        }
        let raw = value.cloned();
        let parsed = match parse_value(ty, op_name, value) {
            // Upstream compiles the pattern when it evaluates the condition.
            Err(RuleError::Unsupported(what)) if op_name == "matches" => {
                unsupported.get_or_insert(what);
                Parsed::Matches(None)
            }
            other => other?,
        };
        Ok(Condition {
            op: op_name.to_string(),
            field: field_name.to_string(),
            ty,
            unparsed: raw.clone(),
            raw,
            value: parsed,
            options: options.filter(|o| !o.is_null()).cloned(),
            unsupported,
        })
    }

    /// `eval(object)`.
    pub fn eval(&self, object: &Map<String, Value>) -> Result<bool, RuleError> {
        if let Some(what) = &self.unsupported {
            return Err(RuleError::Unsupported(what.clone()));
        }
        let mut field_value = object.get(&self.field).cloned();
        if self.ty == FieldType::String && field_value.as_ref().is_none_or(Value::is_null) {
            field_value = Some(Value::String(String::new()));
        }
        let Some(mut fv) = field_value else {
            return Ok(false);
        };
        if let Value::String(s) = &fv {
            fv = Value::String(s.to_lowercase());
        }
        if self.ty == FieldType::Number {
            if let Some(options) = self.options.as_ref().filter(|o| js::is_truthy(o)) {
                if options.get("outflow").is_some_and(js::is_truthy) {
                    if json::gt(&fv, &Value::from(0)) {
                        return Ok(false);
                    }
                    let n = -json::to_number(&fv);
                    if n.is_nan() {
                        return Ok(false);
                    }
                    fv = json::number(n);
                } else if options.get("inflow").is_some_and(js::is_truthy)
                    && json::lt(&fv, &Value::from(0))
                {
                    return Ok(false);
                }
            }
        }
        let null = fv.is_null();
        Ok(match (self.op.as_str(), &self.value) {
            ("is" | "isapprox", Parsed::Recur(schedule)) => {
                if null {
                    return Ok(false);
                }
                let day = transaction_day(&fv)?;
                let (from, to) = if self.op == "isapprox" {
                    (day - Duration::days(2), day + Duration::days(2))
                } else {
                    (day, day)
                };
                schedule.occurs_between(from, to).map_err(|_| {
                    RuleError::Unsupported(
                        "a recurring date whose occurrences are not followed here".into(),
                    )
                })?
            }
            ("isapprox", Parsed::Day(date)) => {
                if null {
                    return Ok(false);
                }
                let full =
                    parse_date_like(&Value::String(date.clone())).ok_or_else(invalid_time)?;
                let low = Value::String(day_string(full - Duration::days(2)));
                let high = Value::String(day_string(full + Duration::days(2)));
                json::ge(&fv, &low) && json::le(&fv, &high)
            }
            ("is", Parsed::Day(date)) => {
                !null && json::strict_eq(&fv, &Value::String(date.clone()))
            }
            ("is", Parsed::Month(month)) => {
                !null && {
                    let d = parse_date_like(&fv).ok_or_else(invalid_time)?;
                    format!("{:04}-{:02}", d.year(), d.month()) == *month
                }
            }
            ("is", Parsed::Year(year)) => {
                !null && {
                    let d = parse_date_like(&fv).ok_or_else(invalid_time)?;
                    format!("{:04}", d.year()) == *year
                }
            }
            ("isapprox", Parsed::Literal(n)) => {
                let threshold = json::math_round(n.abs() * 0.075);
                json::ge(&fv, &json::number(n - threshold))
                    && json::le(&fv, &json::number(n + threshold))
            }
            ("is", Parsed::Literal(n)) => json::strict_eq(&fv, &json::number(*n)),
            ("is", Parsed::Plain(v)) => json::strict_eq(&fv, v),
            ("isNot", Parsed::Plain(v)) => !json::strict_eq(&fv, v),
            ("isNot", _) => true,
            ("isbetween", Parsed::Between(a, b)) => {
                let (low, high) = if a < b { (*a, *b) } else { (*b, *a) };
                json::ge(&fv, &json::number(low)) && json::le(&fv, &json::number(high))
            }
            ("contains", Parsed::Plain(v)) => {
                !null && json::to_string(&fv).contains(&json::to_string(v))
            }
            ("doesNotContain", Parsed::Plain(v)) => {
                !null && !json::to_string(&fv).contains(&json::to_string(v))
            }
            ("oneOf", Parsed::List(list)) => !null && list.iter().any(|v| json::strict_eq(v, &fv)),
            ("notOneOf", Parsed::List(list)) => {
                !null && !list.iter().any(|v| json::strict_eq(v, &fv))
            }
            ("hasTags", Parsed::Tags(tags)) => {
                let text = json::to_string(&fv);
                !null && tags.iter().all(|t| has_tag(&text, t))
            }
            ("hasAnyTag", Parsed::Tags(tags)) => {
                let text = json::to_string(&fv);
                !null && tags.iter().any(|t| has_tag(&text, t))
            }
            ("gt" | "gte" | "lt" | "lte", _) if null => false,
            (op @ ("gt" | "gte" | "lt" | "lte"), Parsed::Day(date)) => {
                if !fv.is_string() {
                    return Err(RuleError::Unsupported(
                        "a date condition on a transaction date that is not a string".into(),
                    ));
                }
                // An invalid date is neither before nor after anything.
                let a = parse_date_like(&fv);
                let b = parse_date_like(&Value::String(date.clone()));
                let same = json::strict_eq(&fv, &Value::String(date.clone()));
                let (after, before) = match (a, b) {
                    (Some(a), Some(b)) => (a > b, a < b),
                    _ => (false, false),
                };
                match op {
                    "gt" => after,
                    "gte" => same || after,
                    "lt" => before,
                    _ => same || before,
                }
            }
            (op @ ("gt" | "gte" | "lt" | "lte"), Parsed::Literal(n)) => {
                let n = json::number(*n);
                match op {
                    "gt" => json::gt(&fv, &n),
                    "gte" => json::ge(&fv, &n),
                    "lt" => json::lt(&fv, &n),
                    _ => json::le(&fv, &n),
                }
            }
            ("matches", Parsed::Matches(re)) => {
                !null
                    && re.as_ref().is_some_and(|re| {
                        let units: Vec<u16> = json::to_string(&fv).encode_utf16().collect();
                        re.find_from_ucs2(&units, 0).next().is_some()
                    })
            }
            ("onBudget" | "offBudget", _) => match object.get("_account") {
                Some(account) if js::is_truthy(account) => {
                    let want = if self.op == "onBudget" { 0 } else { 1 };
                    account
                        .get("offbudget")
                        .is_some_and(|v| json::strict_eq(v, &Value::from(want)))
                }
                _ => false,
            },
            _ => false,
        })
    }

    /// `serialize()`: `{ op, field, value, type, options? }`.
    pub fn serialize(&self) -> Value {
        let mut out = Map::new();
        out.insert("op".into(), Value::String(self.op.clone()));
        out.insert("field".into(), Value::String(self.field.clone()));
        if let Some(value) = &self.unparsed {
            out.insert("value".into(), value.clone());
        }
        out.insert("type".into(), Value::String(self.ty.name().into()));
        if let Some(options) = self.options.as_ref().filter(|o| js::is_truthy(o)) {
            out.insert("options".into(), options.clone());
        }
        Value::Object(out)
    }
}

fn invalid_time() -> RuleError {
    RuleError::Thrown {
        name: "RangeError",
        message: "Invalid time value".into(),
    }
}

/// `parseDate(fieldValue)` of a transaction's date for the day comparisons; only
/// strings are followed (a number or `Date` is a moment at some hour).
fn transaction_day(v: &Value) -> Result<NaiveDate, RuleError> {
    match v {
        Value::String(_) => parse_date_like(v).ok_or_else(|| {
            RuleError::Unsupported("a date condition on an invalid transaction date".into())
        }),
        _ => Err(RuleError::Unsupported(
            "a date condition on a transaction date that is not a string".into(),
        )),
    }
}

/// CONDITION_TYPES[type].parse(op, value, field).
fn parse_value(ty: FieldType, op: &str, value: Option<&Value>) -> Result<Parsed, RuleError> {
    let v = value.cloned().unwrap_or(Value::Null);
    match ty {
        FieldType::Date => {
            let parsed = match &v {
                Value::String(s) => parse_date_string(s)?,
                Value::Object(o) if o.get("frequency").is_some_and(|f| !f.is_null()) => {
                    match Recurrence::parse(o) {
                        Ok(r) => Some(Parsed::Recur(Box::new(r))),
                        Err(RecurError::Invalid) => return Err(rule("parse-recur-date")),
                        Err(RecurError::Unsupported(what)) => {
                            return Err(RuleError::Unsupported(what.to_string()))
                        }
                    }
                }
                _ => None,
            };
            let parsed = parsed.ok_or(rule("date-format"))?;
            let ok = match op {
                "isapprox" => matches!(parsed, Parsed::Day(_) | Parsed::Recur(_)),
                "gt" | "gte" | "lt" | "lte" => matches!(parsed, Parsed::Day(_)),
                _ => true,
            };
            if !ok {
                return Err(rule("date-format"));
            }
            Ok(parsed)
        }
        FieldType::Id => match op {
            "oneOf" | "notOneOf" | "and" => match v {
                Value::Array(items) => Ok(Parsed::List(items)),
                _ => Err(rule("no-empty-array")),
            },
            "matches" => Ok(Parsed::Matches(compile_pattern(&json::to_string(&v))?)),
            _ => Ok(Parsed::Plain(v)),
        },
        FieldType::String => {
            if matches!(op, "oneOf" | "notOneOf") {
                let Value::Array(items) = v else {
                    return Err(rule("no-empty-array"));
                };
                let mut out = Vec::new();
                for item in items.into_iter().filter(js::is_truthy) {
                    match item {
                        Value::String(s) => out.push(Value::String(s.to_lowercase())),
                        _ => {
                            return Err(RuleError::Thrown {
                                name: "TypeError",
                                message: "val.toLowerCase is not a function".into(),
                            })
                        }
                    }
                }
                return Ok(Parsed::List(out));
            }
            let Value::String(s) = v else {
                return Err(rule("not-string"));
            };
            if matches!(
                op,
                "contains" | "matches" | "doesNotContain" | "hasTags" | "hasAnyTag"
            ) && s.is_empty()
            {
                return Err(rule("no-empty-string"));
            }
            Ok(match op {
                "hasTags" | "hasAnyTag" => {
                    Parsed::Tags(extract_tags(&s).iter().map(|t| t.to_lowercase()).collect())
                }
                "matches" => Parsed::Matches(compile_pattern(&s.to_lowercase())?),
                _ => Parsed::Plain(Value::String(s.to_lowercase())),
            })
        }
        FieldType::Number => {
            let parsed = match &v {
                Value::Number(n) => Some(Parsed::Literal(n.as_f64().unwrap_or(f64::NAN))),
                Value::Object(o) => match (o.get("num1"), o.get("num2")) {
                    (Some(Value::Number(a)), Some(Value::Number(b))) => Some(Parsed::Between(
                        a.as_f64().unwrap_or(f64::NAN),
                        b.as_f64().unwrap_or(f64::NAN),
                    )),
                    _ => None,
                },
                _ => None,
            };
            let parsed = parsed.ok_or(rule("not-number"))?;
            let between = matches!(parsed, Parsed::Between(..));
            if (op == "isbetween") != between {
                return Err(rule("number-format"));
            }
            Ok(parsed)
        }
        FieldType::Boolean => match v {
            Value::Bool(_) => Ok(Parsed::Plain(v)),
            _ => Err(rule("not-boolean")),
        },
        FieldType::Saved => Err(rule("internal")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(v: Value) -> Result<Condition, RuleError> {
        Condition::new(
            v.get("op"),
            v.get("field"),
            v.get("value"),
            v.get("options"),
        )
    }

    fn eval(c: Value, t: Value) -> bool {
        let c = cond(c).unwrap_or_else(|e| panic!("refused: {e:?}"));
        c.eval(t.as_object().unwrap()).unwrap()
    }

    fn kind(v: Value) -> &'static str {
        match cond(v) {
            Err(RuleError::Rule(k)) => k,
            Err(other) => panic!("not a rule error: {other:?}"),
            Ok(_) => "ok",
        }
    }

    #[test]
    fn constructor_checks_give_upstreams_error_types() {
        for (condition, expected) in [
            (json!({"op": "is", "field": "nope", "value": 1}), "internal"),
            (
                json!({"op": "hasTags", "field": "imported_payee", "value": "#a"}),
                "internal",
            ),
            (
                json!({"op": "is", "field": "amount", "value": null}),
                "no-null",
            ),
            (
                json!({"op": "is", "field": "amount", "value": "5"}),
                "not-number",
            ),
            (
                json!({"op": "is", "field": "amount", "value": {"num1": 1, "num2": 2}}),
                "number-format",
            ),
            (
                json!({"op": "isbetween", "field": "amount", "value": 3}),
                "number-format",
            ),
            (
                json!({"op": "is", "field": "notes", "value": null}),
                "not-string",
            ),
            (
                json!({"op": "contains", "field": "notes", "value": ""}),
                "no-empty-string",
            ),
            (
                json!({"op": "oneOf", "field": "payee", "value": "x"}),
                "no-empty-array",
            ),
            (
                json!({"op": "is", "field": "cleared", "value": 1}),
                "not-boolean",
            ),
            (
                json!({"op": "is", "field": "date", "value": "2024-02-30"}),
                "date-format",
            ),
            (
                json!({"op": "gt", "field": "date", "value": "2024-02"}),
                "date-format",
            ),
            (
                json!({"op": "isapprox", "field": "date", "value": "2024"}),
                "date-format",
            ),
            (
                json!({"op": "is", "field": "date", "value": {"frequency": "hourly", "start": "2024-01-01"}}),
                "parse-recur-date",
            ),
            (json!({"op": "is", "field": "payee", "value": null}), "ok"),
            (json!({"op": "onBudget", "field": "account"}), "ok"),
        ] {
            assert_eq!(kind(condition.clone()), expected, "{condition}");
        }
    }

    #[test]
    fn date_strings_by_length() {
        let date = |v: &str| json!({"op": "is", "field": "date", "value": v});
        assert_eq!(kind(date("2024-02-29")), "ok");
        assert_eq!(kind(date("2023-02-29")), "date-format");
        assert_eq!(kind(date("2024-13")), "date-format");
        assert_eq!(kind(date("2024")), "ok");
        assert_eq!(kind(date("2024-5-6")), "date-format");
        assert_eq!(kind(date("20240-1-01")), "date-format");
        assert!(matches!(
            cond(date("2024-W01-1")),
            Err(RuleError::Unsupported(_))
        ));
    }

    #[test]
    fn what_cannot_run_still_loads() {
        let undefined = cond(json!({"op": "is", "field": "payee"})).unwrap();
        assert!(undefined.unsupported.is_some());
        assert!(undefined.serialize().get("value").is_none());
        let modifiers =
            cond(json!({"op": "matches", "field": "notes", "value": "(?i:x)"})).unwrap();
        assert!(modifiers.unsupported.is_some());
        assert!(
            cond(json!({"op": "matches", "field": "notes", "value": "a("}))
                .unwrap()
                .unsupported
                .is_none()
        );
    }

    #[test]
    fn strings_compare_lower_cased_and_null_is_empty() {
        assert!(eval(
            json!({"op": "is", "field": "notes", "value": ""}),
            json!({"notes": null})
        ));
        assert!(eval(
            json!({"op": "contains", "field": "imported_payee", "value": "NET"}),
            json!({"imported_payee": "Big net ltd"})
        ));
        assert!(!eval(
            json!({"op": "contains", "field": "payee", "value": "ABC"}),
            json!({"payee": "xabcx"})
        ));
        assert!(eval(
            json!({"op": "oneOf", "field": "imported_payee", "value": ["A", "", "B"]}),
            json!({"imported_payee": "b"})
        ));
        assert!(eval(
            json!({"op": "notOneOf", "field": "imported_payee", "value": ["A"]}),
            json!({})
        ));
        assert!(!eval(
            json!({"op": "is", "field": "cleared", "value": true}),
            json!({})
        ));
    }

    #[test]
    fn matches_lower_cases_the_pattern_too() {
        // `\S` becomes `\s` once lower-cased, as upstream's parse does.
        assert!(eval(
            json!({"op": "matches", "field": "notes", "value": "^A\\S"}),
            json!({"notes": "a b"})
        ));
        assert!(!eval(
            json!({"op": "matches", "field": "notes", "value": "(?i)x"}),
            json!({"notes": "x"})
        ));
        assert!(eval(
            json!({"op": "matches", "field": "notes", "value": "^.$"}),
            json!({"notes": "é"})
        ));
        assert!(!eval(
            json!({"op": "matches", "field": "notes", "value": "^.$"}),
            json!({"notes": "😀"})
        ));
    }

    #[test]
    fn tags_need_a_word_boundary_and_no_double_hash() {
        assert_eq!(
            extract_tags("one #one ##one ##two three"),
            ["#one", "#two", "#three"]
        );
        let t = |v: &str, notes: &str| {
            eval(
                json!({"op": "hasTags", "field": "notes", "value": v}),
                json!({"notes": notes}),
            )
        };
        assert!(t("#food", "#food weekly"));
        assert!(t("#Food", "x #FOOD"));
        assert!(!t("#food", "#foods"));
        assert!(!t("#food", "##food"));
        assert!(t("#food #fun", "#fun #food"));
        assert!(!t("#food #fun", "#fun"));
        assert!(eval(
            json!({"op": "hasAnyTag", "field": "notes", "value": "#x #fun"}),
            json!({"notes": "#fun"})
        ));
    }

    #[test]
    fn amounts_with_options_and_approximation() {
        let c = |op: &str, v: Value, o: Value, amount: i64| {
            eval(
                json!({"op": op, "field": "amount", "value": v, "options": o}),
                json!({"amount": amount}),
            )
        };
        assert!(c("is", json!(500), json!({"outflow": true}), -500));
        assert!(!c("is", json!(500), json!({"outflow": true}), 500));
        assert!(!c("gt", json!(0), json!({"inflow": true}), -5));
        assert!(c("isapprox", json!(-1000), json!(null), -1075));
        assert!(!c("isapprox", json!(-1000), json!(null), -1076));
        assert!(c(
            "isbetween",
            json!({"num1": 5, "num2": -5}),
            json!(null),
            0
        ));
        // A missing amount compares as 0.
        assert!(eval(
            json!({"op": "isapprox", "field": "amount", "value": 0}),
            json!({"amount": null})
        ));
        assert!(!eval(
            json!({"op": "isapprox", "field": "amount", "value": 10}),
            json!({"amount": null})
        ));
    }

    #[test]
    fn dates_fixed_months_years_and_windows() {
        let c = |op: &str, v: Value, date: &str| {
            eval(
                json!({"op": op, "field": "date", "value": v}),
                json!({"date": date}),
            )
        };
        assert!(c("is", json!("2024-03"), "2024-03-09"));
        assert!(c("is", json!("2024-03"), "2024-02-30"));
        assert!(c("is", json!("2024"), "2024-12-31"));
        assert!(c("isapprox", json!("2024-03-01"), "2024-02-28"));
        assert!(!c("isapprox", json!("2024-03-01"), "2024-02-27"));
        assert!(c("gte", json!("2024-03-01"), "2024-03-01"));
        assert!(!c("gt", json!("2024-03-01"), "2024-03-01"));
        assert!(c("lt", json!("2024-03-01"), "2024-02-29"));
        let recur = json!({"frequency": "monthly", "start": "2024-01-05", "interval": 1, "endMode": "never"});
        assert!(c("is", recur.clone(), "2024-04-05"));
        assert!(!c("is", recur.clone(), "2024-04-06"));
        assert!(c("isapprox", recur.clone(), "2024-04-07"));
        assert!(!c("isapprox", recur, "2024-01-02"));
    }
}
