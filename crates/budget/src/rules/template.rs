//! A `set` action's Handlebars template (`server/rules/action.ts`, compiled with
//! `noEscape: true`, so nothing is HTML-escaped) and the helpers
//! `server/rules/handlebars-helpers.ts` registers, for the templates rules use: text,
//! `{{path}}`, `{{{path}}}`, helper calls whose arguments are strings, numbers,
//! `true`/`false`/`null`/`undefined`, paths and helper subexpressions.
//!
//! Anything else (block helpers, comments, partials, hash arguments, whitespace
//! control, escapes, `..` paths, data variables) is refused when the rule is built;
//! what only the data decides (a value Handlebars would render as `[object Object]`,
//! a date helper on a date `date-fns` cannot format, a regular expression that
//! JavaScript would reject) is refused when the action runs, before anything is
//! written.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde_json::{Map, Value};

use super::error::RuleError;
use crate::foundation::dates;
use crate::foundation::js::json;
use crate::foundation::js::regexp::new_regexp_with_flags;

/// The helpers `handlebars-helpers.ts` registers.
const HELPERS: &[&str] = &[
    "regex",
    "replace",
    "replaceAll",
    "add",
    "sub",
    "div",
    "mul",
    "mod",
    "floor",
    "ceil",
    "round",
    "abs",
    "min",
    "max",
    "fixed",
    "day",
    "month",
    "year",
    "format",
    "addDays",
    "subDays",
    "addMonths",
    "subMonths",
    "addWeeks",
    "subWeeks",
    "addYears",
    "subYears",
    "setDay",
    "debug",
    "concat",
];

/// Handlebars' own helpers (and `else`): not run here.
const BUILT_IN_HELPERS: &[&str] = &[
    "else",
    "helperMissing",
    "blockHelperMissing",
    "each",
    "if",
    "unless",
    "with",
    "log",
    "lookup",
];

/// A JavaScript value as the template sees it.
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An object or array of the transaction (`_account`, `subtransactions`).
    Object(Value),
}

impl Js {
    fn of(v: Option<&Value>) -> Js {
        match v {
            None => Js::Undefined,
            Some(Value::Null) => Js::Null,
            Some(Value::Bool(b)) => Js::Bool(*b),
            Some(Value::Number(n)) => Js::Num(n.as_f64().unwrap_or(f64::NAN)),
            Some(Value::String(s)) => Js::Str(s.clone()),
            Some(other) => Js::Object(other.clone()),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Js::Undefined | Js::Null => false,
            Js::Bool(b) => *b,
            Js::Num(n) => *n != 0.0 && !n.is_nan(),
            Js::Str(s) => !s.is_empty(),
            Js::Object(_) => true,
        }
    }

    fn is_nullish(&self) -> bool {
        matches!(self, Js::Undefined | Js::Null)
    }

    /// `Number(v)`.
    fn number(&self) -> Result<f64, RuleError> {
        Ok(match self {
            Js::Undefined => f64::NAN,
            Js::Null => 0.0,
            Js::Bool(b) => f64::from(u8::from(*b)),
            Js::Num(n) => *n,
            Js::Str(s) => json::to_number(&Value::String(s.clone())),
            Js::Object(_) => return Err(object_value()),
        })
    }

    /// `String(v)`, as string concatenation and `String()` give it.
    fn string(&self) -> Result<String, RuleError> {
        Ok(match self {
            Js::Undefined => "undefined".into(),
            Js::Null => "null".into(),
            Js::Bool(b) => b.to_string(),
            Js::Num(n) => number_string(*n),
            Js::Str(s) => s.clone(),
            Js::Object(_) => return Err(object_value()),
        })
    }
}

fn number_string(n: f64) -> String {
    actual_sync::value::js_number_to_string(n)
}

fn object_value() -> RuleError {
    RuleError::Unsupported("a template that uses an object or array value".into())
}

fn unsupported(what: impl std::fmt::Display) -> RuleError {
    RuleError::Unsupported(format!("a template with {what}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// A path into the context (`notes`, `this.notes`, `_account.name`).
    Path(Vec<String>),
    Literal(Js),
    /// A registered helper with its arguments.
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Mustache(Expr),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// `Handlebars.compile(text, { noEscape: true })` and the check upstream runs on
    /// `{}`: a helper called that is not registered is an `invalid-template` rule
    /// error; anything this module does not render is Unsupported.
    pub fn compile(text: &str) -> Result<Template, RuleError> {
        let template = parse(text)?;
        template.render(&Map::new(), None)?;
        Ok(template)
    }

    /// The template's output for `context` (the transaction; `today` added).
    pub fn render(
        &self,
        context: &Map<String, Value>,
        today: Option<&str>,
    ) -> Result<String, RuleError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Mustache(e) => match eval(e, context, today)? {
                    Js::Undefined | Js::Null => {}
                    v => out.push_str(&v.string()?),
                },
            }
        }
        Ok(out)
    }
}

fn parse(text: &str) -> Result<Template, RuleError> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let Some(open) = rest.find("{{") else {
            if rest.contains("}}") {
                return Err(unsupported("a stray }}"));
            }
            if !rest.is_empty() {
                parts.push(Part::Text(rest.to_string()));
            }
            break;
        };
        let before = &rest[..open];
        if before.ends_with('\\') {
            return Err(unsupported("an escaped mustache (\\{{)"));
        }
        if before.contains("}}") {
            return Err(unsupported("a stray }}"));
        }
        if !before.is_empty() {
            parts.push(Part::Text(before.to_string()));
        }
        let after = &rest[open + 2..];
        let (inner, close_len) = if let Some(triple) = after.strip_prefix('{') {
            let close = triple
                .find("}}}")
                .ok_or_else(|| unsupported("an unclosed {{{"))?;
            (&triple[..close], close + 4)
        } else {
            let close = after
                .find("}}")
                .ok_or_else(|| unsupported("an unclosed {{"))?;
            let inner = &after[..close];
            let inner = inner.strip_prefix('&').unwrap_or(inner);
            (inner, close + 2)
        };
        if let Some(c) = inner
            .chars()
            .next()
            .filter(|c| "#/^>!~*@=".contains(*c) || *c == '{')
        {
            return Err(unsupported(format!("a {{{{{c}...}}}} tag")));
        }
        if inner.ends_with('~') {
            return Err(unsupported("whitespace control (~)"));
        }
        let tokens = tokenize(inner)?;
        let mut pos = 0;
        let expr = mustache(&tokens, &mut pos, inner)?;
        parts.push(Part::Mustache(expr));
        rest = &after[close_len..];
    }
    Ok(Template { parts })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
}

fn tokenize(inner: &str) -> Result<Vec<Token>, RuleError> {
    let mut tokens = Vec::new();
    let mut chars = inner.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '"' | '\'' => {
                chars.next();
                let start = i + 1;
                let end = inner[start..]
                    .find(c)
                    .map(|e| start + e)
                    .ok_or_else(|| unsupported("an unclosed string"))?;
                let s = &inner[start..end];
                // Handlebars reads `\"` inside a string as a quote; other backslashes
                // are kept as they are.
                if s.ends_with('\\') {
                    return Err(unsupported("a string with an escaped quote"));
                }
                tokens.push(Token::Str(s.to_string()));
                while chars.peek().is_some_and(|&(j, _)| j <= end) {
                    chars.next();
                }
                // A string must be followed by a separator, as Handlebars' lexer wants.
                if chars
                    .peek()
                    .is_some_and(|&(_, n)| !n.is_whitespace() && n != ')')
                {
                    return Err(unsupported("a string followed by other text"));
                }
            }
            _ => {
                let start = i;
                let mut end = inner.len();
                while let Some(&(j, n)) = chars.peek() {
                    if n.is_whitespace() || n == '(' || n == ')' || n == '"' || n == '\'' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token::Word(inner[start..end].to_string()));
            }
        }
    }
    Ok(tokens)
}

/// `-?[0-9]+(\.[0-9]+)?`: Handlebars' number literal.
fn number_literal(w: &str) -> Option<f64> {
    let digits = w.strip_prefix('-').unwrap_or(w);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(int) && frac.is_none_or(all_digits)).then(|| w.parse().ok())?
}

/// A path as Handlebars reads it, with the segments this module resolves.
fn path(w: &str) -> Result<Vec<String>, RuleError> {
    let ok_segment = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-')
            && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
    };
    let mut segments: Vec<&str> = w.split(['.', '/']).collect();
    if segments.first() == Some(&"this") && segments.len() > 1 {
        segments.remove(0);
    }
    if segments.iter().any(|s| *s == "this" || !ok_segment(s)) {
        return Err(unsupported(format!("the expression {w:?}")));
    }
    Ok(segments.into_iter().map(String::from).collect())
}

fn literal(w: &str) -> Option<Js> {
    Some(match w {
        "true" => Js::Bool(true),
        "false" => Js::Bool(false),
        "null" => Js::Null,
        "undefined" => Js::Undefined,
        _ => Js::Num(number_literal(w)?),
    })
}

/// A mustache's contents: a path alone, or a helper and its arguments.
fn mustache(tokens: &[Token], pos: &mut usize, inner: &str) -> Result<Expr, RuleError> {
    let expr = call(tokens, pos, inner)?;
    if *pos != tokens.len() {
        return Err(unsupported(format!("the expression {inner:?}")));
    }
    Ok(expr)
}

/// A head and its arguments, up to the end or a `)`.
fn call(tokens: &[Token], pos: &mut usize, inner: &str) -> Result<Expr, RuleError> {
    let head = match tokens.get(*pos) {
        Some(Token::Word(w)) => w.clone(),
        _ => return Err(unsupported(format!("the expression {inner:?}"))),
    };
    *pos += 1;
    if BUILT_IN_HELPERS.contains(&head.as_str()) {
        return Err(unsupported(format!("Handlebars' {head} helper")));
    }
    let mut args = Vec::new();
    while let Some(t) = tokens.get(*pos) {
        match t {
            Token::Close => break,
            _ => args.push(argument(tokens, pos, inner)?),
        }
    }
    if HELPERS.contains(&head.as_str()) {
        return Ok(Expr::Call(head, args));
    }
    if literal(&head).is_some() {
        return Err(unsupported(format!("the expression {inner:?}")));
    }
    let p = path(&head)?;
    if !args.is_empty() {
        // `helperMissing` throws `Missing helper: "x"` when upstream checks the template.
        return Err(RuleError::Rule("invalid-template"));
    }
    Ok(Expr::Path(p))
}

fn argument(tokens: &[Token], pos: &mut usize, inner: &str) -> Result<Expr, RuleError> {
    let t = tokens[*pos].clone();
    *pos += 1;
    match t {
        Token::Str(s) => Ok(Expr::Literal(Js::Str(s))),
        Token::Word(w) => {
            if w.contains('=') {
                return Err(unsupported("hash arguments (name=value)"));
            }
            if let Some(v) = literal(&w) {
                return Ok(Expr::Literal(v));
            }
            Ok(Expr::Path(path(&w)?))
        }
        Token::Open => {
            let e = call(tokens, pos, inner)?;
            if tokens.get(*pos) != Some(&Token::Close) {
                return Err(unsupported("an unclosed subexpression"));
            }
            *pos += 1;
            match e {
                Expr::Call(..) => Ok(e),
                _ => Err(unsupported("a subexpression that is not a helper call")),
            }
        }
        Token::Close => Err(unsupported(format!("the expression {inner:?}"))),
    }
}

fn eval(e: &Expr, context: &Map<String, Value>, today: Option<&str>) -> Result<Js, RuleError> {
    match e {
        Expr::Literal(v) => Ok(v.clone()),
        Expr::Path(segments) => {
            // `{ ...transaction, today }`: `today` hides a field of that name.
            let mut current = match today {
                Some(t) if segments[0] == "today" => Js::Str(t.to_string()),
                _ => Js::of(context.get(&segments[0])),
            };
            // Handlebars' lookupProperty: own properties only (a string's or an
            // array's `length`; segments here never start with a digit).
            for s in &segments[1..] {
                current = match current {
                    Js::Undefined | Js::Null => return Ok(current),
                    Js::Object(Value::Object(o)) => Js::of(o.get(s)),
                    Js::Object(Value::Array(a)) if s == "length" => Js::Num(a.len() as f64),
                    Js::Str(text) if s == "length" => Js::Num(text.encode_utf16().count() as f64),
                    _ => Js::Undefined,
                };
            }
            Ok(current)
        }
        Expr::Call(name, args) => {
            let args = args
                .iter()
                .map(|a| eval(a, context, today))
                .collect::<Result<Vec<_>, _>>()?;
            helper(name, &args)
        }
    }
}

fn arg(args: &[Js], i: usize) -> Js {
    args.get(i).cloned().unwrap_or(Js::Undefined)
}

/// `Math.min` / `Math.max` of two numbers (NaN wins; -0 below +0).
fn js_min_max(a: f64, b: f64, max: bool) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == b {
        return if (a.is_sign_negative() && !max) || (a.is_sign_positive() && max) {
            a
        } else {
            b
        };
    }
    if (a < b) != max {
        a
    } else {
        b
    }
}

fn helper(name: &str, args: &[Js]) -> Result<Js, RuleError> {
    let math = |f: fn(f64, f64) -> f64| -> Result<Js, RuleError> {
        let mut acc = arg(args, 0).number()?;
        for b in args.iter().skip(1) {
            acc = f(acc, b.number()?);
        }
        Ok(Js::Num(acc))
    };
    let date_fmt = |token: &str| -> Result<Js, RuleError> {
        let d = arg(args, 0);
        if !d.truthy() {
            return Ok(d);
        }
        Ok(Js::Str(format_date(parse_day(&d)?, token)?))
    };
    match name {
        "regex" | "replace" | "replaceAll" => regex_helper(name, args),
        "add" => math(|a, b| a + b),
        "sub" => math(|a, b| a - b),
        "div" => math(|a, b| a / b),
        "mul" => math(|a, b| a * b),
        "mod" => math(|a, b| a % b),
        "min" => math(|a, b| js_min_max(a, b, false)),
        "max" => math(|a, b| js_min_max(a, b, true)),
        "floor" => Ok(Js::Num(arg(args, 0).number()?.floor())),
        "ceil" => Ok(Js::Num(arg(args, 0).number()?.ceil())),
        "round" => Ok(Js::Num(json::math_round(arg(args, 0).number()?))),
        "abs" => Ok(Js::Num(arg(args, 0).number()?.abs())),
        "fixed" => Ok(Js::Str(to_fixed(
            arg(args, 0).number()?,
            arg(args, 1).number()?,
        )?)),
        "day" => date_fmt("d"),
        "month" => date_fmt("M"),
        "year" => date_fmt("yyyy"),
        "format" => {
            let (d, f) = (arg(args, 0), arg(args, 1));
            if !d.truthy() {
                return Ok(d);
            }
            if !f.truthy() {
                return Ok(f);
            }
            let Js::Str(f) = f else {
                return Err(unsupported("a date format that is not text"));
            };
            Ok(Js::Str(format_date(parse_day(&d)?, &f)?))
        }
        "addDays" | "subDays" | "addWeeks" | "subWeeks" | "addMonths" | "subMonths"
        | "addYears" | "subYears" => {
            let (d, n) = (arg(args, 0), arg(args, 1));
            if !d.truthy() || !n.truthy() {
                return Ok(d);
            }
            let Js::Num(n) = n else {
                return Err(unsupported(format!(
                    "{name} given a count that is not a number"
                )));
            };
            let n = whole(n)?;
            let sign = if name.starts_with("sub") { -1 } else { 1 };
            let day = parse_day(&d)?;
            let moved = match &name[3..] {
                "Days" => add_days(day, sign * n),
                "Weeks" => add_days(day, sign * n * 7),
                "Months" => add_months(day, sign * n),
                _ => add_months(day, sign * n * 12),
            };
            Ok(Js::Str(format_date(moved?, "yyyy-MM-dd")?))
        }
        "setDay" => {
            let (d, n) = (arg(args, 0), arg(args, 1));
            if !d.truthy() || n.is_nullish() {
                return Ok(d);
            }
            let day = parse_day(&d)?;
            let target = whole(n.number()?)?;
            let moved = add_days(day, target - i64::from(day.day()))?;
            Ok(Js::Str(format_date(moved, "yyyy-MM-dd")?))
        }
        "debug" => Ok(Js::Undefined),
        "concat" => {
            let mut out = String::new();
            for a in args {
                if !a.is_nullish() {
                    out.push_str(&a.string()?);
                }
            }
            Ok(Js::Str(out))
        }
        _ => Err(unsupported(format!("the helper {name}"))),
    }
}

fn whole(n: f64) -> Result<i64, RuleError> {
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 1e6 {
        return Err(unsupported(
            "a date helper given a count that is not a small whole number",
        ));
    }
    Ok(n as i64)
}

/// `_parse(date)` for a string (the date helpers' input); other values are refused.
fn parse_day(d: &Js) -> Result<NaiveDate, RuleError> {
    let Js::Str(s) = d else {
        return Err(unsupported("a date helper given a value that is not text"));
    };
    dates::parse_date_like(&Value::String(s.clone()))
        .filter(|d| (0..=9999).contains(&d.year()))
        .ok_or_else(|| unsupported(format!("a date helper given {s:?}, which is not a date")))
}

fn add_days(d: NaiveDate, n: i64) -> Result<NaiveDate, RuleError> {
    d.checked_add_signed(Duration::days(n))
        .filter(|d| (0..=9999).contains(&d.year()))
        .ok_or_else(|| unsupported("a date out of range"))
}

/// date-fns `addMonths`: the day kept, or the month's last day when it has fewer.
fn add_months(d: NaiveDate, n: i64) -> Result<NaiveDate, RuleError> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).unwrap_or(u32::MAX));
    if n >= 0 {
        d.checked_add_months(months)
    } else {
        d.checked_sub_months(months)
    }
    .filter(|d| (0..=9999).contains(&d.year()))
    .ok_or_else(|| unsupported("a date out of range"))
}

/// date-fns `format` for the tokens a template's date format plausibly uses.
fn format_date(d: NaiveDate, format: &str) -> Result<String, RuleError> {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut run = 1;
        while chars.get(i + run) == Some(&c) {
            run += 1;
        }
        if c.is_ascii_alphabetic() {
            let text = match (c, run) {
                ('y', 1) => d.year().to_string(),
                ('y', 2) => format!("{:02}", d.year() % 100),
                ('y', n) => format!("{:0n$}", d.year()),
                ('M', 1) => d.month().to_string(),
                ('M', 2) => format!("{:02}", d.month()),
                ('d', 1) => d.day().to_string(),
                ('d', 2) => format!("{:02}", d.day()),
                _ => {
                    return Err(unsupported(format!(
                        "the date format token {:?}",
                        c.to_string().repeat(run)
                    )))
                }
            };
            out.push_str(&text);
        } else if c == '\'' {
            return Err(unsupported("a quoted date format"));
        } else {
            for _ in 0..run {
                out.push(c);
            }
        }
        i += run;
    }
    Ok(out)
}

/// `Number.prototype.toFixed(digits)`.
fn to_fixed(x: f64, digits: f64) -> Result<String, RuleError> {
    let f = if digits.is_nan() { 0.0 } else { digits.trunc() };
    if !(0.0..=100.0).contains(&f) {
        return Err(unsupported(
            "fixed with digits outside 0–100 (a RangeError)",
        ));
    }
    if !x.is_finite() || x.abs() >= 1e21 {
        return Ok(number_string(x));
    }
    let f = f as usize;
    // The exact decimal value of the double, rounded half up (away from zero).
    let exact = format!("{:.1100}", x.abs());
    let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits: Vec<u8> = int
        .bytes()
        .chain(frac.bytes().take(f))
        .map(|b| b - b'0')
        .collect();
    if frac.as_bytes().get(f).is_some_and(|&b| b >= b'5') {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let (int, frac) = text.split_at(text.len() - f);
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if f == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    Ok(if x < 0.0 { format!("-{body}") } else { body })
}

/// `regex`, `replace`, `replaceAll`: `/pattern/flags` is a regular expression; other
/// text is a pattern (`regex`) or plain text (`replace`, `replaceAll`).
fn regex_helper(name: &str, args: &[Js]) -> Result<Js, RuleError> {
    let (value, pattern, replacement) = (arg(args, 0), arg(args, 1), arg(args, 2));
    if value.is_nullish() {
        return Ok(Js::Null);
    }
    let (Js::Str(pattern), Js::Str(replacement)) = (pattern, replacement) else {
        return Ok(Js::Str(String::new()));
    };
    let value: Vec<u16> = value.string()?.encode_utf16().collect();
    let replacement: Vec<u16> = replacement.encode_utf16().collect();
    let out = match regex_literal(&pattern) {
        Some((source, flags)) => {
            let global = flags.contains('g');
            if name == "replaceAll" && !global {
                return Err(unsupported(
                    "replaceAll with a regular expression without the g flag (a TypeError)",
                ));
            }
            replace_regex(&value, source, flags, global, &replacement)?
        }
        None if name == "regex" => replace_regex(&value, &pattern, "", false, &replacement)?,
        None => {
            let needle: Vec<u16> = pattern.encode_utf16().collect();
            replace_text(&value, &needle, name == "replaceAll", &replacement)
        }
    };
    String::from_utf16(&out)
        .map(Js::Str)
        .map_err(|_| unsupported("a replacement that splits a character"))
}

/// `/^\/(.*)\/([gimuy]*)$/`.
fn regex_literal(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('/')?;
    if text.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let slash = body.rfind('/')?;
    let flags = &body[slash + 1..];
    flags
        .chars()
        .all(|c| "gimuy".contains(c))
        .then_some((&body[..slash], flags))
}

/// A match or capture, in UTF-16 code units.
type Span = std::ops::Range<usize>;
/// A named capture group and what it matched.
type NamedGroup = (String, Option<Span>);

fn replace_regex(
    value: &[u16],
    source: &str,
    flags: &str,
    global: bool,
    replacement: &[u16],
) -> Result<Vec<u16>, RuleError> {
    let mut seen = String::new();
    for c in flags.chars() {
        if seen.contains(c) {
            return Err(unsupported(
                "a regular expression with a repeated flag (a SyntaxError)",
            ));
        }
        seen.push(c);
    }
    if flags.contains('y') {
        return Err(unsupported("a sticky (y) regular expression"));
    }
    let regress_flags = regress::Flags::from(flags.replace('g', "").as_str());
    let unicode = regress_flags.unicode;
    let Some(re) = new_regexp_with_flags(source, regress_flags)
        .map_err(|why| unsupported(format!("a template with {why}")))?
    else {
        return Err(unsupported(format!(
            "the regular expression /{source}/ (a SyntaxError)"
        )));
    };
    let mut out = Vec::new();
    let mut last = 0;
    let mut start = 0;
    while start <= value.len() {
        let m = if unicode {
            re.find_from_utf16(value, start).next()
        } else {
            re.find_from_ucs2(value, start).next()
        };
        let Some(m) = m else { break };
        let range = m.range();
        out.extend_from_slice(&value[last..range.start]);
        let groups: Vec<Option<Span>> = m.groups().skip(1).collect();
        let named: Vec<(String, Option<Span>)> =
            m.named_groups().map(|(n, r)| (n.to_string(), r)).collect();
        substitute(
            &mut out,
            value,
            range.clone(),
            &groups,
            Some(&named),
            replacement,
        );
        last = range.end;
        if !global {
            break;
        }
        start = if range.is_empty() {
            let step = if unicode
                && (0xD800..0xDC00).contains(&value.get(range.end).copied().unwrap_or(0))
                && value
                    .get(range.end + 1)
                    .is_some_and(|u| (0xDC00..0xE000).contains(u))
            {
                2
            } else {
                1
            };
            range.end + step
        } else {
            range.end
        };
    }
    out.extend_from_slice(&value[last.min(value.len())..]);
    Ok(out)
}

fn replace_text(value: &[u16], needle: &[u16], all: bool, replacement: &[u16]) -> Vec<u16> {
    let mut out = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while i + needle.len() <= value.len() {
        if value[i..i + needle.len()] == *needle {
            out.extend_from_slice(&value[last..i]);
            substitute(&mut out, value, i..i + needle.len(), &[], None, replacement);
            last = i + needle.len();
            if !all {
                break;
            }
            // An empty needle matches between every code unit.
            i = last + usize::from(needle.is_empty());
        } else {
            i += 1;
        }
    }
    out.extend_from_slice(&value[last.min(value.len())..]);
    out
}

/// GetSubstitution: `$$`, `$&`, `` $` ``, `$'`, `$n`/`$nn`, `$<name>`.
fn substitute(
    out: &mut Vec<u16>,
    value: &[u16],
    m: Span,
    groups: &[Option<Span>],
    named: Option<&[NamedGroup]>,
    replacement: &[u16],
) {
    let dollar = u16::from(b'$');
    let digit = |u: Option<&u16>| u.and_then(|&u| char::from_u32(u32::from(u))?.to_digit(10));
    let mut i = 0;
    while i < replacement.len() {
        let u = replacement[i];
        if u != dollar || i + 1 == replacement.len() {
            out.push(u);
            i += 1;
            continue;
        }
        let next = replacement[i + 1];
        match char::from_u32(u32::from(next)).unwrap_or('\0') {
            '$' => {
                out.push(dollar);
                i += 2;
            }
            '&' => {
                out.extend_from_slice(&value[m.clone()]);
                i += 2;
            }
            '`' => {
                out.extend_from_slice(&value[..m.start]);
                i += 2;
            }
            '\'' => {
                out.extend_from_slice(&value[m.end.min(value.len())..]);
                i += 2;
            }
            '0'..='9' => {
                let d1 = digit(replacement.get(i + 1)).unwrap_or(0) as usize;
                let two = digit(replacement.get(i + 2)).map(|d2| d1 * 10 + d2 as usize);
                let (n, len) = match two {
                    Some(n) if (1..=groups.len()).contains(&n) => (n, 3),
                    _ if (1..=groups.len()).contains(&d1) => (d1, 2),
                    _ => {
                        out.push(u);
                        i += 1;
                        continue;
                    }
                };
                if let Some(r) = &groups[n - 1] {
                    out.extend_from_slice(&value[r.clone()]);
                }
                i += len;
            }
            '<' => {
                let named = named.filter(|n| n.iter().any(|(name, _)| !name.is_empty()));
                let close = replacement[i + 2..]
                    .iter()
                    .position(|&c| c == u16::from(b'>'));
                match (named, close) {
                    (Some(named), Some(close)) => {
                        let name = String::from_utf16_lossy(&replacement[i + 2..i + 2 + close]);
                        if let Some((_, Some(r))) = named.iter().find(|(n, _)| *n == name) {
                            out.extend_from_slice(&value[r.clone()]);
                        }
                        i += close + 3;
                    }
                    _ => {
                        out.push(u);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(u);
                i += 1;
            }
        }
    }
}

/// The transaction's field after the template ran: Handlebars gives text, converted by
/// the field's type as upstream does (`parseFloat` or 0 for numbers, a day or
/// `9999-12-31` for dates, `=== 'true'` for booleans).
pub fn convert(text: String, ty: super::fields::FieldType) -> Result<Value, RuleError> {
    use super::fields::FieldType;
    Ok(match ty {
        FieldType::Number => {
            let n = parse_float(&text).unwrap_or(0.0);
            // A fraction or an infinity would be stored as a REAL; -0 is stored as 0.
            if !n.is_finite() || n.fract() != 0.0 {
                return Err(unsupported(format!("a number field set to {text:?}")));
            }
            json::number(n)
        }
        FieldType::Date => match dates::parse_date_like(&Value::String(text.clone())) {
            Some(d) if (0..=9999).contains(&d.year()) => Value::String(dates::day_string(d)),
            Some(_) => return Err(unsupported(format!("a date field set to {text:?}"))),
            None => Value::String("9999-12-31".into()),
        },
        FieldType::Boolean => Value::Bool(text == "true"),
        _ => Value::String(text),
    })
}

/// `parseFloat(text)`; `None` is NaN.
pub(super) fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim_start_matches(json::is_js_space);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body.starts_with("Infinity") {
        return Some(sign * f64::INFINITY);
    }
    let b = body.as_bytes();
    let mut end = 0;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    let int_digits = end;
    let mut frac_digits = 0;
    if end < b.len() && b[end] == b'.' {
        let mut j = end + 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        frac_digits = j - end - 1;
        if int_digits + frac_digits > 0 {
            end = j;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut j = end + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let digits_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > digits_start {
            end = j;
        }
    }
    let mut s = body[..end].to_string();
    if s.starts_with('.') {
        s.insert(0, '0');
    }
    if s.ends_with('.') {
        s.push('0');
    }
    s.parse::<f64>().ok().map(|n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, ctx: Value) -> Result<String, RuleError> {
        Template::compile(t)?.render(ctx.as_object().unwrap(), Some("2017-01-01"))
    }

    #[test]
    fn paths_and_literal_text() {
        let ctx = json!({ "notes": "a<b>&\"", "amount": -1234, "cleared": false, "payee": null, "_account": { "name": "Checking" } });
        assert_eq!(
            render("{{notes}} / {{{notes}}} / {{&notes}}", ctx.clone()).unwrap(),
            "a<b>&\" / a<b>&\" / a<b>&\""
        );
        assert_eq!(
            render(
                "{{amount}}|{{cleared}}|{{payee}}|{{missing}}|{{today}}|{{today.length}}",
                ctx.clone()
            )
            .unwrap(),
            "-1234|false|||2017-01-01|10"
        );
        assert_eq!(
            render(
                "{{_account.name}} {{this.notes}} {{missing.x}}",
                ctx.clone()
            )
            .unwrap(),
            "Checking a<b>&\" "
        );
        assert!(matches!(
            render("{{_account}}", ctx.clone()),
            Err(RuleError::Unsupported(_))
        ));
        assert_eq!(
            render(
                "{{notes.length}} {{notes.x}} {{amount.x}} {{_account.length}}",
                ctx
            )
            .unwrap(),
            "6   "
        );
    }

    #[test]
    fn refusals_and_invalid_templates() {
        for t in [
            "{{#if notes}}x{{/if}}",
            "{{! c }}",
            "{{> p}}",
            "{{~notes}}",
            "\\{{notes}}",
            "{{notes",
            "{{../notes}}",
            "{{@root}}",
            "{{concat a=b}}",
            "{{if notes}}",
            "{{else}}",
            "{{this}}",
            "{{}}",
            "{{[a b]}}",
            "{{lookup a b}}",
            "a}}b",
        ] {
            assert!(
                matches!(Template::compile(t), Err(RuleError::Unsupported(_))),
                "{t}"
            );
        }
        assert_eq!(
            Template::compile("{{nothelper notes}}"),
            Err(RuleError::Rule("invalid-template"))
        );
    }

    #[test]
    fn helpers() {
        let ctx = json!({ "notes": "Coffee shop 12", "amount": -1234, "date": "2024-01-31" });
        let r = |t: &str| render(t, ctx.clone()).unwrap();
        assert_eq!(
            r("{{add amount 34}} {{sub 1 2 3}} {{div amount 100}} {{mul 0.1 3}} {{mod -7 3}}"),
            "-1200 -4 -12.34 0.30000000000000004 -1"
        );
        assert_eq!(
            r("{{floor -1.5}} {{ceil -0.5}} {{round -2.5}} {{abs amount}} {{min 3 1 2}} {{max}}"),
            "-2 0 -2 1234 1 NaN"
        );
        assert_eq!(r("{{fixed 1.005 2}} {{fixed 2.5}} {{fixed -2.5}} {{fixed (div amount 100) 1}} {{fixed (mul 1000000000000 1000000000) 2}}"), "1.00 3 -3 -12.3 1e+21");
        assert_eq!(
            r("{{day date}} {{month date}} {{year date}} {{format date 'dd/MM/yy'}} {{day ''}}"),
            "31 1 2024 31/01/24 "
        );
        assert_eq!(r("{{addMonths date 1}} {{subDays date 31}} {{addWeeks date 1}} {{subYears date 1}} {{setDay date 5}} {{addDays date 0}}"), "2024-02-29 2023-12-31 2024-02-07 2023-01-31 2024-01-05 2024-01-31");
        assert_eq!(r("{{regex notes '\\d+' 'N'}}"), "Coffee shop N");
        assert_eq!(r("{{regex notes '/(o)/g' '[$1]'}} {{replace notes 'o' '0'}} {{replaceAll notes 'o' '0'}}"), "C[o]ffee sh[o]p 12 C0ffee shop 12 C0ffee sh0p 12");
        assert_eq!(r("{{regex notes '/(?<w>\\w+) /' '$<w>-$$-$&'}} {{regex missing 'a' 'b'}}|{{regex notes 1 'b'}}|"), "Coffee-$-Coffee shop 12 ||");
        assert_eq!(
            r("{{concat notes ' ' amount null true}} {{debug notes}}"),
            "Coffee shop 12 -1234true "
        );
        assert_eq!(
            r("{{mul -1 0}} {{fixed -0.0001 2}} {{fixed (mul -1 0) 2}} {{fixed 0.5}} {{fixed 1.45 1}}"),
            "0 -0.00 0.00 1 1.4"
        );
        assert!(render("{{fixed 1 200}}", ctx.clone()).is_err());
        assert!(render("{{replaceAll notes '/o/' 'x'}}", ctx.clone()).is_err());
        assert!(render("{{format date 'MMM'}}", ctx).is_err());
    }

    #[test]
    fn malformed_templates_never_panic() {
        let ctx = json!({ "notes": "é😀x", "amount": 5 });
        for t in [
            "{{",
            "}}",
            "{{{",
            "{{{notes}}",
            "{{'é",
            "{{\"",
            "{{(",
            "{{)",
            "{{add (",
            "{{add (sub 1",
            "{{add )",
            "{{ é }}",
            "{{add 'é'x}}",
            "{{regex notes '/é/' '$<'}}",
            "{{regex notes '/(x)/' '$'}}",
            "{{regex notes '/(x)/' '$1$'}}",
            "{{regex notes '/' ''}}",
            "{{regex notes '//' '$`$\''}}",
            "{{fixed -1e-300 100}}",
            "{{fixed 0.5 100}}",
            "{{format 'é' 'd'}}",
            "{{format '2024-01-01' 'é'}}",
            "{{setDay '2024-01-01' 1e}}",
            "{{addMonths '9999-12-31' 1}}",
            "{{a.b.c.d}}",
            "{{add 1 2 3 4}}}",
            "é{{notes}}é",
            "{{replaceAll notes '' '$&'}}",
            "{{regex notes '/x*/gu' '-'}}",
        ] {
            let _ = render(t, ctx.clone());
        }
    }

    #[test]
    fn conversions() {
        use super::super::fields::FieldType;
        assert_eq!(
            convert(" -12.0abc".into(), FieldType::Number).unwrap(),
            json!(-12)
        );
        assert_eq!(convert("x".into(), FieldType::Number).unwrap(), json!(0));
        assert!(convert("1.5".into(), FieldType::Number).is_err());
        assert_eq!(
            convert("2024-2-3".into(), FieldType::Date).unwrap(),
            json!("2024-02-03")
        );
        assert_eq!(
            convert("nope".into(), FieldType::Date).unwrap(),
            json!("9999-12-31")
        );
        assert_eq!(
            convert("true".into(), FieldType::Boolean).unwrap(),
            json!(true)
        );
        assert_eq!(
            convert("True".into(), FieldType::Boolean).unwrap(),
            json!(false)
        );
    }
}
