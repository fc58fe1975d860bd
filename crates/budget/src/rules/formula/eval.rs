//! Evaluating a parsed formula as HyperFormula's `Interpreter` does: operators with
//! their coercions and epsilon, errors passed on left to right, an overflow made
//! `#NUM!`, `-0` made 0.

use std::cmp::Ordering;

use super::super::error::RuleError;
use super::context::Context;
use super::functions;
use super::parse::{Ast, BinOp};
use super::value::{self, add, date_string, number_or_error, to_text, EPSILON, NAN, V};

fn subtract(left: f64, right: f64) -> f64 {
    let ret = left - right;
    if ret.abs() < EPSILON * left.abs() {
        0.0
    } else {
        ret
    }
}

/// `floatCmp`: equal within the epsilon.
fn float_cmp(left: f64, right: f64) -> Ordering {
    let m = 1.0 + EPSILON;
    if (right >= 0.0 && left * m >= right && left <= right * m)
        || (right <= 0.0 && left * m <= right && left >= right * m)
    {
        Ordering::Equal
    } else if left > right {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

fn type_rank(v: &V) -> u8 {
    match v {
        V::Num(_) => 1,
        V::Str(_) => 2,
        V::Bool(_) => 3,
        V::Err(_) => 4,
    }
}

/// `ArithmeticHelper.compare` for `op`. Two texts are compared by an `Intl.Collator`
/// (`en`, base sensitivity): only their equality is told here, for printable ASCII,
/// where it is ASCII case-insensitive equality.
fn compare(op: BinOp, left: &V, right: &V) -> Result<bool, RuleError> {
    let date = |v: &V| -> Result<V, RuleError> {
        Ok(match v {
            V::Str(s) => match date_string(s)? {
                Some(n) => V::Num(n),
                None => v.clone(),
            },
            other => other.clone(),
        })
    };
    let ordering = if matches!(left, V::Str(_)) || matches!(right, V::Str(_)) {
        match (date(left)?, date(right)?) {
            (V::Num(l), V::Num(r)) => Some(float_cmp(l, r)),
            _ => None,
        }
    } else {
        None
    };
    let ordering = match ordering {
        Some(o) => o,
        None => match (left, right) {
            (V::Str(l), V::Str(r)) => {
                let printable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
                if !(printable(l) && printable(r) && matches!(op, BinOp::Eq | BinOp::Ne)) {
                    return Err(RuleError::Unsupported(
                        "a formula comparing texts by order or beyond printable ASCII".into(),
                    ));
                }
                let same = l.eq_ignore_ascii_case(r);
                return Ok(same == (op == BinOp::Eq));
            }
            (V::Bool(l), V::Bool(r)) => l.cmp(r),
            (V::Num(l), V::Num(r)) => float_cmp(*l, *r),
            _ => type_rank(left).cmp(&type_rank(right)),
        },
    };
    Ok(match op {
        BinOp::Eq => ordering == Ordering::Equal,
        BinOp::Ne => ordering != Ordering::Equal,
        BinOp::Lt => ordering == Ordering::Less,
        BinOp::Gt => ordering == Ordering::Greater,
        BinOp::Le => ordering != Ordering::Greater,
        _ => ordering != Ordering::Less,
    })
}

fn binary(op: BinOp, left: V, right: V) -> Result<V, RuleError> {
    // Every operator returns the left error first, then the right one.
    match op {
        BinOp::Concat => Ok(match (to_text(&left), to_text(&right)) {
            (Err(e), _) | (_, Err(e)) => e,
            (Ok(l), Ok(r)) => V::Str(l + &r),
        }),
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            match (&left, &right) {
                (V::Err(_), _) => Ok(left),
                (_, V::Err(_)) => Ok(right),
                _ => Ok(V::Bool(compare(op, &left, &right)?)),
            }
        }
        _ => {
            let (l, r) = match (number_or_error(&left)?, number_or_error(&right)?) {
                (Err(e), _) | (_, Err(e)) => return Ok(e),
                (Ok(l), Ok(r)) => (l, r),
            };
            Ok(match op {
                BinOp::Add => V::Num(add(l, r)),
                BinOp::Sub => V::Num(subtract(l, r)),
                BinOp::Mul => V::Num(l * r),
                BinOp::Div if r == 0.0 => V::Err(String::new()),
                BinOp::Div => V::Num(l / r),
                _ => V::Num(value::js_pow_exact(l, r).ok_or_else(|| {
                    RuleError::Unsupported(
                        "a formula with a power that is not a whole number".into(),
                    )
                })?),
            })
        }
    }
}

/// `evaluateAst`: the value, an overflowing number made `#NUM!`, `-0` made 0.
pub fn evaluate(ast: &Ast, cx: &Context) -> Result<V, RuleError> {
    let v = evaluate_raw(ast, cx)?;
    Ok(match v {
        V::Num(n) if !n.is_finite() => value::err(NAN),
        // -0 too.
        V::Num(0.0) => V::Num(0.0),
        other => other,
    })
}

fn evaluate_raw(ast: &Ast, cx: &Context) -> Result<V, RuleError> {
    match ast {
        Ast::Num(n) => Ok(V::Num(*n)),
        Ast::Str(s) => Ok(V::Str(s.clone())),
        Ast::Name(name) => match cx.names.get(&name.to_lowercase()) {
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(why)) => Err(RuleError::Unsupported(why.clone())),
            None => Ok(V::Err(format!("Named expression {name} not recognized."))),
        },
        Ast::Neg(inner) => Ok(match number_or_error(&evaluate(inner, cx)?)? {
            Ok(n) => V::Num(-n),
            Err(e) => e,
        }),
        Ast::Plus(inner) => evaluate(inner, cx),
        Ast::Percent(inner) => Ok(match number_or_error(&evaluate(inner, cx)?)? {
            Ok(n) => V::Num(n / 100.0),
            Err(e) => e,
        }),
        Ast::Bin(op, l, r) => {
            let left = evaluate(l, cx)?;
            let right = evaluate(r, cx)?;
            binary(*op, left, right)
        }
        Ast::Call(name, args) => {
            let values = args
                .iter()
                .map(|a| evaluate(a, cx))
                .collect::<Result<Vec<V>, RuleError>>()?;
            functions::call(name, values, cx)
        }
    }
}
