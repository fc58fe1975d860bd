//! Upstream's ActualQL compiler (`server/aql/compiler.ts`), step for step: a serialized
//! query becomes the same SQL pieces upstream builds (the same joins with the same
//! aliases, literals spliced in as upstream splices them), so SQLite answers what it
//! answers upstream. Errors carry upstream's messages and expression stacks.
//!
//! What JavaScript would fail on with an error of its own (a `TypeError` from a value
//! of an unexpected shape) is not copied: such a query is [`Fail::Unsupported`].

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::fail::{unsupported, Fail, R};
use super::schema;
use super::sql_functions::normalised;
use super::state::QueryState;
use crate::aql::literals::{self, Js};
use crate::foundation::dates;
use crate::foundation::error::BudgetError;
use crate::foundation::js;
use crate::foundation::js::json;

fn compile_err<T>(message: impl Into<String>) -> R<T> {
    Err(Fail::Compile(message.into()))
}

/// The value of a compiled expression.
#[derive(Clone, Debug)]
pub enum V {
    /// SQL (a column, a function call, `NULL`, `?`), spliced as it is.
    Sql(String),
    /// A literal string or id, not yet quoted.
    Str(String),
    /// A literal number, printed as JavaScript prints it.
    Num(Value),
    /// A literal array.
    Arr(Vec<Value>),
}

/// `typed(value, type, { literal })`, and the named parameter it is, if one.
#[derive(Clone, Debug)]
pub struct Typed {
    pub value: V,
    pub ty: &'static str,
    pub literal: bool,
    param: Option<usize>,
}

impl Typed {
    fn sql(value: String, ty: &'static str) -> Typed {
        Typed {
            value: V::Sql(value),
            ty,
            literal: false,
            param: None,
        }
    }

    fn literal(value: V, ty: &'static str) -> Typed {
        Typed {
            value,
            ty,
            literal: true,
            param: None,
        }
    }
}

/// `${value}` in a template string.
fn render(v: &V) -> R<String> {
    match v {
        V::Sql(s) | V::Str(s) => Ok(s.clone()),
        V::Num(n) => Ok(json::to_string(n)),
        V::Arr(_) => unsupported("an array literal spliced into SQL"),
    }
}

/// What `String(x)` makes of a JSON value (an object is `[object Object]`, an array its
/// items joined by commas). A `Date` prints in the local time zone with the zone's name
/// as the platform spells it: not copied.
fn js_string(v: &Value) -> R<String> {
    fn has_date(v: &Value) -> bool {
        match Js::of(v) {
            Js::Date(_) => true,
            Js::Array(items) => items.iter().any(has_date),
            _ => false,
        }
    }
    if has_date(v) {
        return unsupported("a Date where upstream prints it as text");
    }
    Ok(json::to_string(v))
}

/// One entry of upstream's `compileStack`.
#[derive(Clone, Debug)]
enum Entry {
    Expr(Option<Value>),
    Function(Value),
    Op(String, Value),
    Value(Value),
    Method(&'static str, Vec<Value>),
}

/// `state.paths` entry: a joined table.
#[derive(Clone, Debug)]
pub struct PathInfo {
    pub table_name: String,
    pub table_id: String,
    join_field: String,
    join_table: String,
}

/// A named parameter (`:name`) and the type inferred for it.
#[derive(Debug)]
pub struct Param {
    pub name: String,
    ty: Option<&'static str>,
}

/// The SQL pieces `compileQuery` returns.
#[derive(Clone, Debug)]
pub struct SqlPieces {
    pub select: String,
    pub from: String,
    pub joins: String,
    pub where_: String,
    pub group_by: String,
    pub order_by: String,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The compiler's state (`CompilerState`), kept after compiling for the executors.
pub struct Compiler {
    pub implicit_table_name: String,
    pub implicit_table_id: String,
    implicit_field: Option<String>,
    /// The query's orders, inside a selected function (`$sumOver` reads them).
    orders: Option<Vec<Value>>,
    pub paths: IndexMap<String, PathInfo>,
    pub dependencies: Vec<String>,
    stack: Vec<Entry>,
    pub output_types: IndexMap<String, &'static str>,
    validate_refs: bool,
    pub params: Vec<Param>,
    uid: usize,
    with_dead: bool,
    splits: Option<Value>,
}

fn pop_path(path: &str) -> (String, String) {
    match path.rfind('.') {
        Some(i) => (path[..i].to_string(), path[i + 1..].to_string()),
        None => (String::new(), path.to_string()),
    }
}

/// `quoteAlias`.
pub fn quote_alias(alias: &str) -> String {
    if !alias.contains('.') && alias != "group" {
        alias.to_string()
    } else {
        format!("\"{alias}\"")
    }
}

/// `appendWhere`.
pub fn append_where(where_: &str, condition: &str) -> String {
    if where_.is_empty() {
        format!("WHERE {condition}")
    } else {
        format!("{where_} AND {condition}")
    }
}

/// `addTombstone`.
pub fn add_tombstone(table_name: &str, table_id: &str, where_: &str) -> String {
    if !schema::has_tombstone(table_name) {
        return where_.to_string();
    }
    if where_.is_empty() {
        format!("WHERE {table_id}.tombstone = 0")
    } else {
        format!("{where_} AND {table_id}.tombstone = 0")
    }
}

/// A literal date shape (`parseDate`, `parseMonth`, `parseYear`).
type DateParser = fn(&str) -> Option<i64>;

fn parse_month(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    (b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit()))
    .then(|| format!("{}{}", &s[..4], &s[5..]).parse().ok())
    .flatten()
}

fn parse_year(s: &str) -> Option<i64> {
    (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `dateToInt(String(value).slice(0, n))`.
fn date_prefix(v: &V, n: usize) -> R<V> {
    let text = render(v)?;
    let prefix: String = text.chars().take(n).collect();
    match prefix.replace('-', "").parse::<i64>() {
        Ok(i) => Ok(V::Num(Value::from(i))),
        Err(_) => unsupported("a date prefix JavaScript's parseInt reads differently"),
    }
}

/// The keys of an object as `Object.entries` lists them; `None` for a value whose
/// entries are not copied here (a string, an array, null).
fn entries(v: &Value) -> R<Vec<(String, Value)>> {
    match Js::of(v) {
        Js::Object(o) => Ok(o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Js::Date(_) | Js::Number { .. } | Js::Bool(_) => Ok(vec![]),
        Js::String("") => Ok(vec![]),
        _ => unsupported("a string, array or null where upstream reads an object's entries"),
    }
}

fn plain_object(v: &Value) -> Option<&Map<String, Value>> {
    match Js::of(v) {
        Js::Object(o) => Some(o),
        _ => None,
    }
}

impl Compiler {
    fn uid(&mut self, table: &str) -> String {
        self.uid += 1;
        format!("{table}{}", self.uid)
    }

    /// `tableRef` through `schemaConfig.tableViews`.
    pub fn table_ref(&self, name: &str, is_join: bool) -> String {
        schema::table_view(name, is_join, self.with_dead, self.splits.as_ref())
    }

    fn push(&mut self, e: Entry) {
        self.stack.push(e);
    }

    fn pop<T>(&mut self, v: T) -> R<T> {
        self.stack.pop();
        Ok(v)
    }

    fn field_description(&self, table: &str, field: &str) -> R<&'static schema::Field> {
        if schema::is_prototype_name(table) || schema::is_prototype_name(field) {
            return unsupported(format!(
                "the name {table}.{field}, which JavaScript finds on every object"
            ));
        }
        if schema::table(table).is_none() {
            return compile_err(format!("Table \"{table}\" does not exist in the schema"));
        }
        match schema::field(table, field) {
            Some(f) => Ok(f),
            None => compile_err(format!(
                "Field \"{field}\" does not exist in table \"{table}\""
            )),
        }
    }

    fn make_path(&mut self, path: &str) -> R<PathInfo> {
        let parts: Vec<&str> = path.split('.').collect();
        if parts.len() < 2 {
            return compile_err(format!("Invalid path: {path}"));
        }
        let mut table_name = parts[0].to_string();
        for field in &parts[1..] {
            if schema::table(&table_name).is_none() {
                return compile_err(format!("Path error: {table_name} table does not exist"));
            }
            match schema::field(&table_name, field) {
                Some((_, _, Some(target))) => table_name = target.to_string(),
                _ => {
                    return compile_err(format!(
                        "Field not joinable on table {table_name}: \"{field}\""
                    ))
                }
            }
        }
        let parent = &parts[..parts.len() - 1];
        let join_table = if parent.len() == 1 {
            parent[0].to_string()
        } else {
            let parent_path = parent.join(".");
            match self.paths.get(&parent_path) {
                Some(p) => p.table_id.clone(),
                None => return compile_err(format!("Path does not exist: {parent_path}")),
            }
        };
        let table_id = self.uid(&table_name);
        Ok(PathInfo {
            table_name,
            table_id,
            join_field: parts[parts.len() - 1].to_string(),
            join_table,
        })
    }

    fn resolve_path(&mut self, path: &str) -> R<PathInfo> {
        let mut context = self.implicit_table_name.clone();
        let mut last = String::new();
        for name in path.split('.') {
            context = format!("{context}.{name}");
            if !self.paths.contains_key(&context) {
                let info = self.make_path(&context)?;
                self.paths.insert(context.clone(), info);
            }
            last = context.clone();
        }
        Ok(self.paths[&last].clone())
    }

    fn transform_field(&mut self, name: &str) -> R<Typed> {
        let (path, original) = pop_path(name);
        let (table_name, mut table_id) = if path.is_empty() {
            (
                self.implicit_table_name.clone(),
                self.implicit_table_id.clone(),
            )
        } else {
            let info = self.resolve_path(&path)?;
            (info.table_name, info.table_id)
        };
        let (_, ty, reference) = *self.field_description(&table_name, &original)?;
        let mut field = original;
        // A reference reads the id through a join on live rows: a dead row reads null.
        if self.validate_refs && reference.is_some() && ty == "id" && field != "id" {
            let ref_path = format!("{}.{}", self.implicit_table_name, name);
            if !self.paths.contains_key(&ref_path) {
                let info = self.make_path(&ref_path)?;
                self.paths.insert(ref_path.clone(), info);
            }
            field = "id".into();
            table_id = self.paths[&ref_path].table_id.clone();
        }
        Ok(Typed::sql(format!("{table_id}.{field}"), ty))
    }

    fn infer_param(&mut self, index: usize, ty: &'static str) -> R<()> {
        let param = &mut self.params[index];
        match param.ty {
            Some(existing) => {
                let casts: &[&str] = match ty {
                    "date" => &["string"],
                    "date-month" => &["date"],
                    "date-year" => &["date", "date-month"],
                    "id" => &["string"],
                    "float" => &["integer"],
                    _ => &[],
                };
                if existing != ty && !casts.contains(&existing) {
                    return Err(Fail::Plain(format!(
                        "Parameter \"{}\" can't convert to {ty} (already inferred as {existing})",
                        param.name
                    )));
                }
            }
            None => param.ty = Some(ty),
        }
        Ok(())
    }

    /// `castInput`.
    fn cast(&mut self, expr: &Typed, ty: &'static str) -> R<Typed> {
        if expr.ty == ty {
            return Ok(expr.clone());
        }
        if expr.ty == "param" {
            // What a function made of a parameter (`(-?)`) is typed `param` too, but
            // upstream infers its type on that new value, not on the parameter.
            if let Some(index) = expr.param {
                self.infer_param(index, ty)?;
            }
            return Ok(Typed {
                value: expr.value.clone(),
                ty,
                literal: false,
                param: None,
            });
        }
        if expr.ty == "null" {
            if !expr.literal {
                return compile_err("A non-literal null doesn't make sense");
            }
            if ty == "boolean" {
                return Ok(Typed::literal(V::Num(Value::from(0)), "boolean"));
            }
            return Ok(expr.clone());
        }
        let text = |v: &V| render(v);
        match ty {
            "date" => {
                if expr.ty == "string" {
                    if !expr.literal {
                        return compile_err("Casting string fields to dates is not supported");
                    }
                    let s = text(&expr.value)?;
                    return match literals::parse_date(&s) {
                        Some(i) => Ok(Typed::literal(V::Num(Value::from(i)), "date")),
                        None => compile_err(format!("Bad date format: {s}")),
                    };
                }
                compile_err(format!("Can't cast {} to date", expr.ty))
            }
            "date-month" | "date-year" => {
                let (n, parsers): (usize, &[DateParser]) = if ty == "date-month" {
                    (6, &[parse_month, literals::parse_date])
                } else {
                    (4, &[parse_year, parse_month, literals::parse_date])
                };
                let expr2 = if expr.ty == "date" || (ty == "date-year" && expr.ty == "date-month") {
                    expr.clone()
                } else if expr.ty == "string" {
                    let s = text(&expr.value)?;
                    match parsers.iter().find_map(|p| p(&s)) {
                        Some(i) => Typed::literal(V::Num(Value::from(i)), "date"),
                        None => return compile_err(format!("Bad {ty} format: {s}")),
                    }
                } else {
                    return compile_err(format!("Can't cast {} to {ty}", expr.ty));
                };
                if expr2.literal {
                    Ok(Typed::literal(date_prefix(&expr2.value, n)?, ty))
                } else {
                    Ok(Typed::sql(
                        format!("CAST(SUBSTR({}, 1, {n}) AS integer)", text(&expr2.value)?),
                        ty,
                    ))
                }
            }
            "id" if expr.ty == "string" => Ok(Typed {
                value: expr.value.clone(),
                ty: "id",
                literal: expr.literal,
                param: None,
            }),
            "float" if expr.ty == "integer" => Ok(Typed {
                value: expr.value.clone(),
                ty: "float",
                literal: expr.literal,
                param: None,
            }),
            _ => compile_err(format!("Can't convert {} to {ty}", expr.ty)),
        }
    }

    /// `val`: the SQL of an expression, cast first when `ty` is given.
    fn val(&mut self, expr: &Typed, ty: Option<&'static str>) -> R<String> {
        let cast = match ty {
            Some(ty) => self.cast(expr, ty)?,
            None => expr.clone(),
        };
        if cast.literal {
            if cast.ty == "id" {
                return Ok(format!("'{}'", render(&cast.value)?));
            }
            if cast.ty == "string" {
                return Ok(format!("'{}'", render(&cast.value)?.replace('\'', "''")));
            }
        }
        render(&cast.value)
    }

    /// `valArray`; a missing argument prints as `undefined`, as in upstream's SQL.
    fn val_array(&mut self, args: &[Typed], types: &[Option<&'static str>]) -> R<Vec<String>> {
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            out.push(self.val(a, types.get(i).copied().flatten())?);
        }
        while out.len() < types.len() {
            out.push("undefined".into());
        }
        Ok(out)
    }

    fn compile_literal(&mut self, value: Option<&Value>) -> R<Typed> {
        let Some(value) = value else {
            return compile_err("`undefined` is not a valid query value");
        };
        Ok(match Js::of(value) {
            Js::Null => Typed::literal(V::Sql("NULL".into()), "null"),
            Js::Date(None) => return unsupported("an Invalid Date in a query"),
            Js::Date(Some(ms)) => {
                let Some(day) = dates::local_day_of_millis(ms) else {
                    return unsupported("a Date outside the years chrono represents");
                };
                Typed::literal(
                    V::Num(Value::from(literals::native_date_to_int(day))),
                    "date",
                )
            }
            Js::String(s) => Typed::literal(V::Str(literals::unescape_string(s)), "string"),
            Js::Bool(b) => Typed::literal(V::Num(Value::from(i64::from(b))), "boolean"),
            Js::Number { integer } => Typed::literal(
                V::Num(value.clone()),
                if integer { "integer" } else { "float" },
            ),
            Js::Array(a) => Typed::literal(V::Arr(a.to_vec()), "array"),
            Js::Object(_) => {
                return compile_err(format!(
                    "Unsupported type of expression: {}",
                    json::stringify(value, false)
                ))
            }
        })
    }

    /// `compileExpr`; `None` is `undefined`.
    fn compile_expr(&mut self, expr: Option<&Value>) -> R<Typed> {
        self.push(Entry::Expr(expr.cloned()));
        if let Some(Value::String(s)) = expr {
            if let Some(rest) = s.strip_prefix('$') {
                let field_ref = if s == "$" {
                    self.implicit_field.clone()
                } else {
                    Some(rest.to_string())
                };
                let Some(field_ref) = field_ref.filter(|f| !f.is_empty()) else {
                    return compile_err(format!("Invalid field reference: {s}"));
                };
                let t = self.transform_field(&field_ref)?;
                return self.pop(t);
            }
            if let Some(name) = s.strip_prefix(':') {
                // Inside a copy of upstream's state (a `$transform`, a selected
                // function) the parameter goes on the list the copy shares with the
                // query, or on the one a `$eq`/`$ne` with a parameter gave the copy,
                // which begins with the shared one's: either way the query's first
                // parameter stays the first recorded here, the one reported missing.
                self.params.push(Param {
                    name: name.to_string(),
                    ty: None,
                });
                let t = Typed {
                    value: V::Sql("?".into()),
                    ty: "param",
                    literal: false,
                    param: Some(self.params.len() - 1),
                };
                return self.pop(t);
            }
        }
        if let Some(v) = expr {
            if let Js::Object(o) = Js::of(v) {
                if o.keys().any(|k| k.starts_with('$')) {
                    let t = self.compile_function(v)?;
                    return self.pop(t);
                }
            }
        }
        let t = self.compile_literal(expr)?;
        self.pop(t)
    }

    fn arg_count(args: usize, min: usize, max: usize) -> R<()> {
        if args < min {
            return compile_err("Too few arguments");
        }
        if args > max {
            return compile_err("Too many arguments");
        }
        Ok(())
    }

    /// `compileFunction`.
    pub fn compile_function(&mut self, func: &Value) -> R<Typed> {
        self.push(Entry::Function(func.clone()));
        let Some((name, raw)) = plain_object(func).and_then(|o| o.iter().next()) else {
            return unsupported("a function call that is not an object with a key");
        };
        let arg_exprs: Vec<Value> = match raw {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        if !name.starts_with('$') {
            return compile_err(format!(
                "Unknown property \"{name}.\" Did you mean to call a function? Try prefixing it with $"
            ));
        }
        let mut args = Vec::new();
        if name != "$condition" {
            for a in &arg_exprs {
                args.push(self.compile_expr(Some(a))?);
            }
        }
        let first_ty = |args: &[Typed]| args.first().map(|a| a.ty);
        let t = match name.as_str() {
            "$sum" => {
                Self::arg_count(args.len(), 1, 1)?;
                let v = self.val_array(&args, &[Some("float")])?;
                Typed::sql(format!("SUM({})", v[0]), args[0].ty)
            }
            "$sumOver" => {
                let Some(ty) = first_ty(&args) else {
                    return unsupported("$sumOver without an argument");
                };
                let v = self.val_array(&args, &[Some("float")])?;
                let order = match self.orders.clone() {
                    Some(orders) => format!("ORDER BY {}", self.compile_order_by(&orders)?),
                    None => String::new(),
                };
                Typed::sql(
                    format!(
                        "(SUM({}) OVER ({order} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING))",
                        v[0]
                    ),
                    ty,
                )
            }
            "$count" => {
                Self::arg_count(args.len(), 1, 1)?;
                let v = self.val_array(&args, &[])?;
                Typed::sql(format!("COUNT({})", v[0]), "integer")
            }
            "$substr" => {
                Self::arg_count(args.len(), 2, 3)?;
                let v =
                    self.val_array(&args, &[Some("string"), Some("integer"), Some("integer")])?;
                Typed::sql(format!("SUBSTR({}, {}, {})", v[0], v[1], v[2]), "string")
            }
            "$lower" => {
                Self::arg_count(args.len(), 1, 1)?;
                let v = self.val_array(&args, &[Some("string")])?;
                Typed::sql(format!("UNICODE_LOWER({})", v[0]), "string")
            }
            "$neg" | "$abs" => {
                Self::arg_count(args.len(), 1, 1)?;
                self.val_array(&args, &[Some("float")])?;
                let v = self.val(&args[0], None)?;
                let sql = if name == "$neg" {
                    format!("(-{v})")
                } else {
                    format!("ABS({v})")
                };
                Typed::sql(sql, args[0].ty)
            }
            "$idiv" => {
                Self::arg_count(args.len(), 2, 2)?;
                self.val_array(&args, &[Some("integer"), Some("integer")])?;
                let (a, b) = (self.val(&args[0], None)?, self.val(&args[1], None)?);
                Typed::sql(format!("({a} / {b})"), args[0].ty)
            }
            "$id" => {
                Self::arg_count(args.len(), 1, 1)?;
                Typed::sql(self.val(&args[0], None)?, args[0].ty)
            }
            "$day" | "$month" | "$year" => {
                Self::arg_count(args.len(), 1, 1)?;
                let ty = match name.as_str() {
                    "$day" => "date",
                    "$month" => "date-month",
                    _ => "date-year",
                };
                self.cast(&args[0], ty)?
            }
            "$condition" => {
                Self::arg_count(arg_exprs.len(), 1, 1)?;
                let conds = self.compile_conditions(&arg_exprs[0])?;
                Typed::sql(conds.join(" AND "), "boolean")
            }
            "$nocase" => {
                Self::arg_count(args.len(), 1, 1)?;
                let v = self.val_array(&args, &[Some("string")])?;
                Typed::sql(format!("{} COLLATE NOCASE", v[0]), args[0].ty)
            }
            "$literal" => {
                Self::arg_count(args.len(), 1, 1)?;
                if !args[0].literal {
                    return compile_err("Literal not passed to $literal");
                }
                args[0].clone()
            }
            _ => return compile_err(format!("Unknown function: {name}")),
        };
        self.pop(t)
    }

    /// `compileOp`.
    fn compile_op(&mut self, field_ref: &str, op_data: &Value) -> R<String> {
        self.push(Entry::Op(field_ref.to_string(), op_data.clone()));
        let Some(data) = plain_object(op_data) else {
            return unsupported("an operator that is not an object");
        };
        let transform = data.get("$transform");
        let op = data.keys().find(|k| *k != "$transform").cloned();
        let rhs = self.compile_expr(op.as_ref().and_then(|k| data.get(k)))?;
        let lhs = match transform.filter(|t| js::is_truthy(t)) {
            Some(t) => {
                let func = match t {
                    Value::String(name) => {
                        let mut m = Map::new();
                        m.insert(name.clone(), Value::String("$".into()));
                        Value::Object(m)
                    }
                    other if plain_object(other).is_some() => other.clone(),
                    _ => return unsupported("a $transform that is not a name or an object"),
                };
                let saved = self.implicit_field.replace(field_ref.to_string());
                let lhs = self.compile_function(&func)?;
                self.implicit_field = saved;
                lhs
            }
            None => self.compile_expr(Some(&Value::String(format!("${field_ref}"))))?,
        };
        let op = op.expect("an operator compiled its operand");
        let sql = match op.as_str() {
            "$gte" | "$lte" | "$gt" | "$lt" => {
                let v = self.val_array(&[lhs.clone(), rhs], &[None, Some(lhs.ty)])?;
                let sign = match op.as_str() {
                    "$gte" => ">=",
                    "$lte" => "<=",
                    "$gt" => ">",
                    _ => "<",
                };
                format!("{} {sign} {}", v[0], v[1])
            }
            "$eq" | "$ne" => {
                let eq = op == "$eq";
                if self.cast(&rhs, lhs.ty)?.ty == "null" {
                    let left = self.val(&lhs, None)?;
                    return self.pop(if eq {
                        format!("{left} IS NULL")
                    } else {
                        format!("{left} IS NOT NULL")
                    });
                }
                let v = self.val_array(&[lhs.clone(), rhs.clone()], &[None, Some(lhs.ty)])?;
                let (left, right) = (&v[0], &v[1]);
                if rhs.ty == "param" {
                    if eq {
                        format!("CASE\n          WHEN {left} IS NULL THEN {right} IS NULL\n          ELSE {left} = {right}\n        END")
                    } else {
                        format!("CASE\n          WHEN {left} IS NULL THEN {right} IS NOT NULL\n          ELSE {left} IS NOT {right}\n        END")
                    }
                } else if eq {
                    format!("{left} = {right}")
                } else {
                    format!("({left} != {right} OR {left} IS NULL)")
                }
            }
            "$oneof" => {
                let left = self.val(&lhs, None)?;
                let cast = self.cast(&rhs, "array")?;
                let items: Vec<Value> = match &cast.value {
                    V::Arr(a) => a.clone(),
                    // `new Set(string)` is the string's characters.
                    other => render(other)?
                        .chars()
                        .map(|c| Value::String(c.to_string()))
                        .collect(),
                };
                let mut ids: Vec<String> = Vec::new();
                let mut seen: Vec<&Value> = Vec::new();
                for item in &items {
                    if seen.iter().any(|s| json::strict_eq(s, item)) {
                        continue;
                    }
                    seen.push(item);
                    ids.push(format!("'{}'", js_string(item)?));
                }
                format!("{left} IN ({})", ids.join(","))
            }
            "$like" | "$notlike" | "$regexp" => {
                let v = self.val_array(&[lhs, rhs], &[Some("string"), Some("string")])?;
                let (left, right) = (&v[0], &v[1]);
                match op.as_str() {
                    "$like" => format!("UNICODE_LIKE({}, NORMALISE({left}))", normalised(right)),
                    "$notlike" => format!(
                        "(NOT UNICODE_LIKE({}, NORMALISE({left}))\n OR {left} IS NULL)",
                        normalised(right)
                    ),
                    _ => format!("REGEXP({right}, {left})"),
                }
            }
            other => return compile_err(format!("Unknown operator: {other}")),
        };
        self.pop(sql)
    }

    /// `compileConditions`.
    fn compile_conditions(&mut self, conds: &Value) -> R<Vec<String>> {
        let list: Vec<Value> = match conds {
            Value::Array(a) => a.iter().filter(|c| js::is_truthy(c)).cloned().collect(),
            other => entries(other)?
                .into_iter()
                .map(|(k, v)| {
                    let mut m = Map::new();
                    m.insert(k, v);
                    Value::Object(m)
                })
                .collect(),
        };
        let mut out = Vec::new();
        for conds_obj in &list {
            for (field, cond) in entries(conds_obj)? {
                let compiled = match field.as_str() {
                    "$and" => {
                        if !js::is_truthy(&cond) {
                            continue;
                        }
                        self.compile_and(&cond)?
                    }
                    "$or" => {
                        if !js::is_truthy(&cond) || cond.as_array().is_some_and(Vec::is_empty) {
                            continue;
                        }
                        self.compile_or(&cond)?
                    }
                    _ => match Js::of(&cond) {
                        Js::String(_)
                        | Js::Number { .. }
                        | Js::Bool(_)
                        | Js::Date(_)
                        | Js::Null => {
                            let mut m = Map::new();
                            m.insert("$eq".into(), cond.clone());
                            self.compile_op(&field, &Value::Object(m))?
                        }
                        Js::Array(items) => {
                            let mut parts = Vec::new();
                            for c in items {
                                parts.push(self.compile_op(&field, c)?);
                            }
                            parts.join(" AND ")
                        }
                        Js::Object(_) => self.compile_op(&field, &cond)?,
                    },
                };
                // `.filter(Boolean)`: an empty array of conditions leaves nothing.
                if !compiled.is_empty() {
                    out.push(compiled);
                }
            }
        }
        Ok(out)
    }

    fn compile_and(&mut self, conds: &Value) -> R<String> {
        let res = self.compile_conditions(conds)?;
        Ok(if res.is_empty() {
            "1".into()
        } else {
            format!("({})", res.join("\n  AND "))
        })
    }

    fn compile_or(&mut self, conds: &Value) -> R<String> {
        let res = self.compile_conditions(conds)?;
        Ok(if res.is_empty() {
            "0".into()
        } else {
            format!("({})", res.join("\n  OR "))
        })
    }

    fn compile_where(&mut self, filters: &[Value]) -> R<Option<String>> {
        self.push(Entry::Method("filter", filters.to_vec()));
        let res = self.compile_conditions(&Value::Array(filters.to_vec()))?;
        let out = (!res.is_empty()).then(|| format!("({})", res.join("\n  AND ")));
        self.pop(out)
    }

    fn expand_star(&mut self, expr: &str) -> R<Vec<String>> {
        let (path, table_name) = if expr == "*" {
            (None, self.implicit_table_name.clone())
        } else if expr.ends_with(".*") {
            let (path, _) = pop_path(expr);
            let info = self.resolve_path(&path)?;
            (Some(path), info.table_name)
        } else {
            return unsupported(format!("the selection {expr}"));
        };
        let Some(fields) = schema::table(&table_name) else {
            return Err(Fail::Plain(format!(
                "Table \"{table_name}\" does not exist"
            )));
        };
        Ok(fields
            .iter()
            .map(|(f, _, _)| match &path {
                Some(p) => format!("{p}.{f}"),
                None => f.to_string(),
            })
            .collect())
    }

    fn compile_select(
        &mut self,
        given: &[Value],
        is_aggregate: bool,
        orders: &[Value],
    ) -> R<String> {
        self.push(Entry::Method("select", given.to_vec()));
        let mut exprs = given.to_vec();
        let has = |s: &str| given.iter().any(|e| e.as_str() == Some(s));
        if !is_aggregate && !has("id") && !has("*") {
            exprs.push(Value::String("id".into()));
        }
        let mut select = Vec::new();
        for expr in &exprs {
            match expr {
                Value::String(s) if s.contains('*') => {
                    let mut parts = Vec::new();
                    for field in self.expand_star(s)? {
                        let c = self.compile_expr(Some(&Value::String(format!("${field}"))))?;
                        self.output_types.insert(field.clone(), c.ty);
                        parts.push(format!("{} AS {}", render(&c.value)?, quote_alias(&field)));
                    }
                    select.push(parts.join(", "));
                }
                Value::String(s) => {
                    let c = self.compile_expr(Some(&Value::String(format!("${s}"))))?;
                    self.output_types.insert(s.clone(), c.ty);
                    select.push(format!("{} AS {}", render(&c.value)?, quote_alias(s)));
                }
                other => {
                    let Some((name, value)) = plain_object(other).and_then(|o| o.iter().next())
                    else {
                        return unsupported("a selection that is not a name or a named expression");
                    };
                    if name.starts_with('$') {
                        self.push(Entry::Value(other.clone()));
                        return compile_err(format!(
                            "Invalid field \"{name}\", are you trying to select a function? You need to name the expression"
                        ));
                    }
                    let c = if let Value::String(v) = value {
                        self.compile_expr(Some(&Value::String(format!("${v}"))))?
                    } else {
                        let saved = self.orders.replace(orders.to_vec());
                        let c = self.compile_function(value)?;
                        self.orders = saved;
                        c
                    };
                    self.output_types.insert(name.clone(), c.ty);
                    select.push(format!("{} AS {}", render(&c.value)?, quote_alias(name)));
                }
            }
        }
        self.pop(select.join(", "))
    }

    fn compile_group_by(&mut self, exprs: &[Value]) -> R<String> {
        self.push(Entry::Method("groupBy", exprs.to_vec()));
        let mut out = Vec::new();
        for expr in exprs {
            let c = match expr {
                Value::String(s) => self.compile_expr(Some(&Value::String(format!("${s}"))))?,
                other if plain_object(other).is_some() => self.compile_function(other)?,
                _ => return unsupported("a groupBy that is not a name or a function"),
            };
            out.push(render(&c.value)?);
        }
        self.pop(out.join(", "))
    }

    fn compile_order_by(&mut self, exprs: &[Value]) -> R<String> {
        self.push(Entry::Method("orderBy", exprs.to_vec()));
        let mut out = Vec::new();
        for expr in exprs {
            let (compiled, dir) = match expr {
                Value::String(s) => (
                    self.compile_expr(Some(&Value::String(format!("${s}"))))?,
                    None,
                ),
                other => {
                    let Some(o) = plain_object(other).filter(|o| !o.is_empty()) else {
                        return unsupported("an order that is not a name or an object");
                    };
                    let (key, value) = o.iter().next().expect("not empty");
                    if o.len() == 1 && !key.starts_with('$') {
                        let c = self.compile_expr(Some(&Value::String(format!("${key}"))))?;
                        (c, Some(value.clone()))
                    } else {
                        let mut func = o.clone();
                        let dir = func.shift_remove("$dir");
                        (self.compile_function(&Value::Object(func))?, dir)
                    }
                }
            };
            let sql = render(&compiled.value)?;
            match dir.filter(|d| !d.is_null()) {
                Some(Value::String(d)) if d == "desc" || d == "asc" => {
                    out.push(format!("{sql} {d}"))
                }
                Some(d) => {
                    return compile_err(format!("Invalid order direction: {}", js_string(&d)?))
                }
                None => out.push(sql),
            }
        }
        self.pop(out.join(", "))
    }

    fn compile_joins(&mut self) -> String {
        let mut joins = Vec::new();
        for info in self.paths.values() {
            let on = format!(
                "{}.id = {}.{}",
                info.table_id,
                self.table_ref(&info.join_table, false),
                quote_alias(&info.join_field)
            );
            joins.push(format!(
                "LEFT JOIN {} {} ON {}",
                self.table_ref(&info.table_name, true),
                info.table_id,
                add_tombstone(&info.table_name, &info.table_id, &on)
            ));
        }
        let tables: Vec<String> = self.paths.values().map(|i| i.table_name.clone()).collect();
        for t in tables {
            if !self.dependencies.contains(&t) {
                self.dependencies.push(t);
            }
        }
        joins.join("\n")
    }

    /// What a failure is to the caller: upstream's error, or not answered natively.
    pub fn into_error(&self, fail: Fail) -> BudgetError {
        match fail {
            Fail::Compile(message) => self.report(&message),
            Fail::Plain(message) => BudgetError::thrown("Error", "invalid-query", message),
            Fail::Unsupported(why) => {
                BudgetError::Unsupported(format!("an ActualQL query with {why}"))
            }
        }
    }

    /// The error upstream reports for a `CompileError` (`getCompileError`).
    fn report(&self, message: &str) -> BudgetError {
        let Some(Entry::Method(method, args)) = self.stack.first() else {
            return BudgetError::thrown("Error", "invalid-query", message);
        };
        let inner: Vec<String> = self.stack[1..]
            .iter()
            .rev()
            .map(|e| match e {
                Entry::Expr(v) => literals::pretty_value(v.as_ref()),
                Entry::Function(v) | Entry::Value(v) => literals::pretty_value(Some(v)),
                Entry::Op(field, data) => {
                    let mut m = Map::new();
                    m.insert(field.clone(), data.clone());
                    literals::pretty_value(Some(&Value::Object(m)))
                }
                Entry::Method(..) => String::new(),
            })
            .collect();
        literals::compile_error_in(message, &inner, method, args)
    }
}

/// `isAggregateFunction`; what JavaScript would fail on is not answered.
fn is_aggregate_function(expr: &Value) -> R<bool> {
    match expr {
        Value::Array(_) => return Ok(false),
        Value::Object(_) => {}
        Value::Null => return unsupported("a null inside a selected function"),
        _ => return Ok(false),
    }
    let Some((name, args)) = plain_object(expr).and_then(|o| o.iter().next()) else {
        return unsupported("an empty object or a Date inside a selected function");
    };
    if name == "$sum" || name == "$count" {
        return Ok(true);
    }
    let args = match args {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    for a in &args {
        if is_aggregate_function(a)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `isAggregateQuery`.
pub fn is_aggregate_query(q: &QueryState) -> R<bool> {
    if !q.group_expressions.is_empty() {
        return Ok(true);
    }
    for expr in &q.select_expressions {
        if expr.is_string() {
            continue;
        }
        let Some((_, value)) = plain_object(expr).and_then(|o| o.iter().next()) else {
            return unsupported("a selection that is not a name or a named expression");
        };
        if is_aggregate_function(value)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `compileQuery`: the SQL pieces and the compiler's state; a `CompileError` comes out
/// as upstream reports it.
pub fn compile_query(q: &QueryState) -> crate::foundation::error::Result<(SqlPieces, Compiler)> {
    let splits = q
        .table_options
        .get("splits")
        .filter(|v| js::is_truthy(v))
        .cloned();
    let mut c = Compiler {
        implicit_table_name: q.table.clone(),
        implicit_table_id: String::new(),
        implicit_field: None,
        orders: None,
        paths: IndexMap::new(),
        dependencies: vec![q.table.clone()],
        stack: Vec::new(),
        output_types: IndexMap::new(),
        validate_refs: q.validate_refs,
        params: Vec::new(),
        uid: 0,
        with_dead: q.with_dead,
        splits,
    };
    c.implicit_table_id = c.table_ref(&q.table, false);
    let orders = schema::orders(&q.table, &q.order_expressions);
    let result = (|| -> R<SqlPieces> {
        let aggregate = is_aggregate_query(q)?;
        let select = c.compile_select(&q.select_expressions, aggregate, &orders)?;
        let mut where_ = String::new();
        if !q.filter_expressions.is_empty() {
            if let Some(w) = c.compile_where(&q.filter_expressions)? {
                where_ = format!("WHERE {w}");
            }
        }
        let mut group_by = String::new();
        if !q.group_expressions.is_empty() {
            group_by = format!("GROUP BY {}", c.compile_group_by(&q.group_expressions)?);
        }
        let mut order_by = String::new();
        if !orders.is_empty() {
            order_by = format!("ORDER BY {}", c.compile_order_by(&orders)?);
        }
        let joins = if c.paths.is_empty() {
            String::new()
        } else {
            c.compile_joins()
        };
        let limit = q.limit.as_ref().map(js_string).transpose()?;
        let offset = q.offset.as_ref().map(js_string).transpose()?;
        Ok(SqlPieces {
            select,
            from: c.implicit_table_id.clone(),
            joins,
            where_,
            group_by,
            order_by,
            limit,
            offset,
        })
    })();
    match result {
        Ok(pieces) => Ok((pieces, c)),
        Err(fail) => Err(c.into_error(fail)),
    }
}

/// `defaultConstructQuery`.
pub fn construct_query(with_dead: bool, table_name: &str, table_id: &str, s: &SqlPieces) -> String {
    let where_ = if with_dead {
        s.where_.clone()
    } else {
        add_tombstone(table_name, table_id, &s.where_)
    };
    format!(
        "SELECT {} FROM {}\n{}\n{}\n{}\n{}\n{}\n{}",
        s.select,
        s.from,
        s.joins,
        where_,
        s.group_by,
        s.order_by,
        s.limit
            .as_ref()
            .map(|l| format!("LIMIT {l}"))
            .unwrap_or_default(),
        s.offset
            .as_ref()
            .map(|o| format!("OFFSET {o}"))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(v: Value) -> QueryState {
        let mut base = json!({
            "tableOptions": {}, "filterExpressions": [], "selectExpressions": [],
            "groupExpressions": [], "orderExpressions": [], "calculation": false,
            "rawMode": false, "withDead": false, "validateRefs": true,
            "limit": null, "offset": null, "table": "transactions"
        });
        for (k, x) in v.as_object().unwrap() {
            base[k] = x.clone();
        }
        QueryState::read(&base).unwrap()
    }

    #[test]
    fn paths_join_live_rows_under_numbered_aliases() {
        let q = state(json!({ "selectExpressions": ["payee.name", "category.group.name"] }));
        let (s, c) = compile_query(&q).unwrap();
        assert_eq!(
            s.select,
            "payees1.name AS \"payee.name\", category_groups3.name AS \"category.group.name\", \
             v_transactions_internal_alive.id AS id"
        );
        assert!(s.joins.contains(
            "LEFT JOIN v_categories categories2 ON categories2.id = \
             v_transactions_internal_alive.category AND categories2.tombstone = 0"
        ));
        assert_eq!(
            c.dependencies,
            ["transactions", "payees", "categories", "category_groups"]
        );
    }

    #[test]
    fn a_parameter_under_a_function_is_still_the_missing_parameter() {
        let q = state(json!({
            "filterExpressions": [{ "amount": { "$lt": { "$neg": ":amount" } } }]
        }));
        let (s, c) = compile_query(&q).unwrap();
        assert_eq!(
            s.where_,
            "WHERE (v_transactions_internal_alive.amount < (-?))"
        );
        assert_eq!(c.params.len(), 1);
        assert_eq!(c.params[0].name, "amount");
        assert_eq!(c.params[0].ty, Some("float"));
    }

    #[test]
    fn oneof_prints_its_items_as_javascript_does() {
        let q = state(json!({
            "filterExpressions": [{ "notes": { "$oneof": [{ "$literal": 1 }, [1, null, [2, "a"]], null, 1.5] } }]
        }));
        let (s, _) = compile_query(&q).unwrap();
        assert!(
            s.where_
                .contains("IN ('[object Object]','1,,2,a','null','1.5')"),
            "{}",
            s.where_
        );
        let q = state(json!({
            "filterExpressions": [{ "notes": { "$oneof": [[{ "$date": 0 }]] } }]
        }));
        assert!(matches!(
            compile_query(&q).err(),
            Some(BudgetError::Unsupported(_))
        ));
    }

    #[test]
    fn a_parameter_in_a_selected_function_is_the_querys() {
        let q = state(json!({ "selectExpressions": [{ "x": { "$condition": {
            "amount": ":a", "notes": ":b" } } }] }));
        let (_, c) = compile_query(&q).unwrap();
        assert_eq!(c.params[0].name, "a");
    }

    #[test]
    fn compile_errors_carry_upstreams_expression_stack() {
        let q = state(json!({ "filterExpressions": [{ "amount": "lots" }] }));
        let err = compile_query(&q).err().unwrap();
        assert_eq!(
            err.to_string(),
            "Can't convert string to integer\n\nExpression stack:\n  \
             {\"amount\":{\"$eq\":\"lots\"}}\n  filter({\"amount\":\"lots\"})"
        );
    }
}
