//! `rankRules` (`server/rules/rule-utils.ts`): stage `pre`, then every other stage, then
//! `post`; within a stage by score, then by id.

use super::model::Rule;
use crate::json::utf16_cmp;

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

fn stage_rank(rule: &Rule) -> u8 {
    match rule.stage.as_str() {
        Some("pre") => 0,
        Some("post") => 2,
        _ => 1,
    }
}

/// The rules in upstream's order (a total order: ids are unique).
pub fn rank_rules<'r>(rules: impl IntoIterator<Item = &'r Rule>) -> Vec<&'r Rule> {
    let mut keyed: Vec<(u8, u32, &Rule)> = rules
        .into_iter()
        .map(|r| (stage_rank(r), score(r), r))
        .collect();
    keyed.sort_by(|(s1, p1, a), (s2, p2, b)| {
        (s1, p1)
            .cmp(&(s2, p2))
            .then_with(|| utf16_cmp(&a.id, &b.id))
    });
    keyed.into_iter().map(|(_, _, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::Condition;
    use serde_json::{json, Value};

    fn rule(id: &str, stage: Value, ops: &[&str]) -> Rule {
        Rule {
            id: id.into(),
            stage,
            conditions_op: json!("and"),
            conditions: ops
                .iter()
                .map(|op| Condition {
                    op: op.to_string(),
                    field: "payee",
                    value: None,
                    type_name: "id",
                    options: None,
                })
                .collect(),
            actions: vec![],
        }
    }

    #[test]
    fn stage_then_score_then_id() {
        let a = rule("b", json!(null), &["is"]); // 20
        let b = rule("a", json!(null), &["is"]); // 20
        let c = rule("c", json!(null), &["contains", "is"]); // 10
        let d = rule("d", json!("post"), &[]);
        let e = rule("e", json!("pre"), &["is", "is"]);
        let f = rule("f", json!("other"), &["is", "and", "gt"]); // reset by `and`: 1
        let list = rank_rules([&a, &b, &c, &d, &e, &f]);
        let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["e", "f", "c", "a", "b", "d"]);
        assert_eq!(score(&f), 1);
        assert_eq!(score(&d), 0);
    }
}
