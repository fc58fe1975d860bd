//! Which rules a transaction is even tried against (`server/rules/rule-indexer.ts`):
//! upstream indexes rules by the value of their first `imported_payee` condition (its
//! first character) and of their first `payee` condition, when that condition is
//! `is`, `isNot`, `oneOf` or `notOneOf`; every other rule is under `*`. A rule
//! indexed under a value is only tried on transactions with that value — for
//! `isNot` and `notOneOf` too, so upstream never runs such a rule on a transaction
//! whose value differs (and we do the same).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::condition::Parsed;
use super::rule::Rule;

#[derive(Debug, Clone, Copy)]
pub enum KeyMethod {
    /// The lower-cased first character (UTF-16 code unit) of the value.
    FirstChar,
    /// The whole lower-cased value.
    Whole,
}

/// One RuleIndexer: rule positions (in the caller's rule list) by key.
#[derive(Debug, Default)]
pub struct Indexer {
    field: &'static str,
    method: Option<KeyMethod>,
    by_key: HashMap<String, Vec<usize>>,
    everywhere: Vec<usize>,
}

impl Indexer {
    pub fn new(field: &'static str, method: KeyMethod) -> Self {
        Indexer {
            field,
            method: Some(method),
            ..Default::default()
        }
    }

    /// `getKey(value)`: a non-empty string's key; anything else has none.
    fn key(&self, value: &Value) -> Option<String> {
        let s = value.as_str().filter(|s| !s.is_empty())?;
        Some(match self.method {
            Some(KeyMethod::FirstChar) => {
                let first = s.encode_utf16().next()?;
                match char::from_u32(u32::from(first)) {
                    Some(c) => c.to_lowercase().collect(),
                    // A lone high surrogate (the first half of an astral character).
                    None => format!("\u{fffe}{first:04x}"),
                }
            }
            _ => s.to_lowercase(),
        })
    }

    /// `index(rule)`.
    pub fn index(&mut self, position: usize, rule: &Rule) {
        let cond = rule.conditions.iter().find(|c| c.field == self.field);
        let values: Option<Vec<&Value>> = cond.and_then(|c| match (c.op.as_str(), &c.value) {
            ("is" | "isNot", Parsed::Plain(v)) => Some(vec![v]),
            ("oneOf" | "notOneOf", Parsed::List(list)) => Some(list.iter().collect()),
            _ => None,
        });
        match values {
            None => self.everywhere.push(position),
            Some(values) => {
                for v in values {
                    match self.key(v) {
                        Some(k) => self.by_key.entry(k).or_default().push(position),
                        None => self.everywhere.push(position),
                    }
                }
            }
        }
    }

    /// `getApplicableRules(object)`, added to `out`.
    pub fn applicable(&self, object: &serde_json::Map<String, Value>, out: &mut BTreeSet<usize>) {
        if let Some(key) = object.get(self.field).and_then(|v| self.key(v)) {
            if let Some(list) = self.by_key.get(&key) {
                out.extend(list.iter().copied());
            }
        }
        out.extend(self.everywhere.iter().copied());
    }
}
