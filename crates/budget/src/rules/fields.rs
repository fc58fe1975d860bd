//! Which fields rules know, of what type, with which operators (`shared/rules.ts`
//! FIELD_INFO and TYPE_INFO, `server/rules/condition.ts` CONDITION_TYPES), and how
//! stored field names map to public ones (`server/transactions/transaction-rules.ts`
//! fromInternalField over the transactions view's fields in `server/aql/schema`).

use serde_json::Value;

/// A field's type name (`FIELD_TYPES.get(field)`).
pub fn field_type(field: &str) -> Option<&'static str> {
    Some(match field {
        "imported_payee" | "payee_name" | "notes" => "string",
        "payee" | "category" | "category_group" | "account" => "id",
        "date" => "date",
        "amount" => "number",
        "cleared" | "reconciled" | "transfer" | "parent" => "boolean",
        "saved" => "saved",
        _ => return None,
    })
}

/// `isValidOp(field, op)` for a field of a known type.
pub fn is_valid_op(field: &str, op: &str) -> bool {
    let Some(kind) = field_type(field) else {
        return false;
    };
    let disallowed: &[&str] = match field {
        "imported_payee" => &["hasTags", "hasAnyTag"],
        "payee" | "category" | "category_group" => &["onBudget", "offBudget"],
        "notes" => &["oneOf", "notOneOf"],
        _ => &[],
    };
    if disallowed.contains(&op) {
        return false;
    }
    let internal: &[&str] = match field {
        "category" | "category_group" => &["and"],
        _ => &[],
    };
    // The id and string types share the matching operators.
    const MATCHING: &[&str] = &[
        "is",
        "contains",
        "matches",
        "oneOf",
        "isNot",
        "doesNotContain",
        "notOneOf",
    ];
    let (shared, ops): (&[&str], &[&str]) = match kind {
        "date" => (&[], &["is", "isapprox", "gt", "gte", "lt", "lte"]),
        "id" => (MATCHING, &["onBudget", "offBudget"]),
        "string" => (MATCHING, &["hasTags", "hasAnyTag"]),
        "number" => (
            &[],
            &["is", "isapprox", "isbetween", "gt", "gte", "lt", "lte"],
        ),
        "boolean" => (&[], &["is"]),
        _ => (&[], &[]),
    };
    shared.contains(&op) || ops.contains(&op) || internal.contains(&op)
}

/// `fromInternalField`: a stored field name as rules see it. Only strings can name a
/// field; anything else stays as it is (and names no field).
pub fn public_field(field: Option<&Value>) -> Option<&str> {
    let name = field?.as_str()?;
    Some(match name {
        "isParent" => "is_parent",
        "isChild" => "is_child",
        "acct" => "account",
        "financial_id" => "imported_id",
        "imported_description" => "imported_payee",
        "transferred_id" => "transfer_id",
        "description" => "payee",
        // Upstream looks the name up in a plain object, so these find inherited
        // properties (functions), which name no field.
        n if is_object_prototype_property(n) => "",
        other => other,
    })
}

fn is_object_prototype_property(name: &str) -> bool {
    matches!(
        name,
        "constructor"
            | "__proto__"
            | "__defineGetter__"
            | "__defineSetter__"
            | "__lookupGetter__"
            | "__lookupSetter__"
            | "hasOwnProperty"
            | "isPrototypeOf"
            | "propertyIsEnumerable"
            | "toLocaleString"
            | "toString"
            | "valueOf"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ops_per_field() {
        assert!(is_valid_op("payee", "oneOf"));
        assert!(!is_valid_op("payee", "onBudget"));
        assert!(is_valid_op("account", "onBudget"));
        assert!(is_valid_op("category", "and"));
        assert!(!is_valid_op("notes", "oneOf"));
        assert!(!is_valid_op("imported_payee", "hasTags"));
        assert!(is_valid_op("notes", "hasTags"));
        assert!(!is_valid_op("saved", "is"));
        assert!(!is_valid_op("amount", "contains"));
    }

    #[test]
    fn stored_names_map_back() {
        assert_eq!(public_field(Some(&json!("description"))), Some("payee"));
        assert_eq!(public_field(Some(&json!("acct"))), Some("account"));
        assert_eq!(public_field(Some(&json!("payee"))), Some("payee"));
        assert_eq!(public_field(Some(&json!("toString"))), Some(""));
        assert_eq!(public_field(Some(&json!(5))), None);
        assert_eq!(public_field(None), None);
    }
}
