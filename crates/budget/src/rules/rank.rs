//! `rankRules` (`server/rules/rule-utils.ts`): stage `pre`, then every other stage, then
//! `post`; within a stage by score, then by id.

use super::rule::Rule;
use crate::foundation::js::json::utf16_cmp;

/// `OP_SCORES`.
fn op_score(op: &str) -> Option<u32> {
    Some(match op {
        "is" | "isNot" => 10,
        "oneOf" | "notOneOf" => 9,
        "isapprox" | "isbetween" => 5,
        "gt" | "gte" | "lt" | "lte" => 1,
        "contains" | "doesNotContain" | "matches" | "hasTags" | "hasAnyTag" | "onBudget"
        | "offBudget" => 0,
        _ => return None,
    })
}

/// `computeScore`: the sum of the operators' scores, doubled when every condition is an
/// exact or near-exact match. An operator without a score (the internal `and`) sets the
/// sum back to 0, as upstream's reducer returns 0 for it.
fn score(rule: &Rule) -> u32 {
    let sum = rule
        .conditions
        .iter()
        .fold(0, |sum, c| op_score(&c.op).map_or(0, |s| sum + s));
    let exact = rule.conditions.iter().all(|c| {
        matches!(
            c.op.as_str(),
            "is" | "isNot" | "isapprox" | "oneOf" | "notOneOf"
        )
    });
    if exact {
        sum * 2
    } else {
        sum
    }
}

/// The positions of `rules` in upstream's order (a total order: ids are unique text).
pub fn rank_order(rules: &[Rule]) -> Vec<usize> {
    let keys: Vec<_> = rules.iter().map(|r| (r.stage, score(r))).collect();
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a].cmp(&keys[b]).then_with(|| {
            let id = |i: usize| rules[i].id.as_str().unwrap_or_default();
            utf16_cmp(id(a), id(b))
        })
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn rule(id: &str, stage: Value, ops: &[&str]) -> Rule {
        let conditions: Vec<Value> = ops
            .iter()
            .map(|op| {
                let value = if *op == "and" { json!([]) } else { json!("x") };
                json!({ "op": op, "field": "category", "value": value })
            })
            .collect();
        Rule::new(json!(id), stage, json!("and"), &conditions, &[]).expect("valid")
    }

    #[test]
    fn stage_then_score_then_id() {
        let rules = [
            rule("b", json!(null), &["is"]),                       // 20
            rule("a", json!(null), &["is"]),                       // 20
            rule("c", json!(null), &["contains", "is"]),           // 10
            rule("d", json!("post"), &[]),                         // 0
            rule("e", json!("pre"), &["is", "is"]),                // 40
            rule("f", json!("other"), &["is", "and", "contains"]), // reset by `and`: 0
        ];
        let ids: Vec<&str> = rank_order(&rules)
            .into_iter()
            .map(|i| rules[i].id.as_str().unwrap())
            .collect();
        assert_eq!(ids, ["e", "f", "c", "a", "b", "d"]);
        assert_eq!(score(&rules[5]), 0);
        assert_eq!(score(&rules[3]), 0);
    }
}
