//! Which fields rules know and which operators each takes (`shared/rules.ts`
//! FIELD_INFO, TYPE_INFO, isValidOp, `server/rules/condition.ts` CONDITION_TYPES), and
//! how stored field names map to public ones (`schemaConfig.views.transactions.fields`,
//! used by `transaction-rules.ts` fromInternalField / toInternalField).

/// A field's value type (`FIELD_TYPES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Date,
    Id,
    String,
    Number,
    Boolean,
    /// `saved`: a type with no condition operators.
    Saved,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Date => "date",
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Saved => "saved",
        }
    }

    /// TYPE_INFO[type].ops: the type's own operators, and for ids and strings the
    /// matching operators they share.
    fn ops(self) -> (&'static [&'static str], &'static [&'static str]) {
        const MATCHING: &[&str] = &[
            "is",
            "contains",
            "matches",
            "oneOf",
            "isNot",
            "doesNotContain",
            "notOneOf",
        ];
        match self {
            FieldType::Date => (&[], &["is", "isapprox", "gt", "gte", "lt", "lte"]),
            FieldType::Id => (MATCHING, &["onBudget", "offBudget"]),
            FieldType::String => (MATCHING, &["hasTags", "hasAnyTag"]),
            FieldType::Number => (
                &[],
                &["is", "isapprox", "isbetween", "gt", "gte", "lt", "lte"],
            ),
            FieldType::Boolean => (&[], &["is"]),
            FieldType::Saved => (&[], &[]),
        }
    }
}

/// FIELD_TYPES.get(field).
pub fn field_type(field: &str) -> Option<FieldType> {
    Some(match field {
        "imported_payee" | "payee_name" | "notes" => FieldType::String,
        "payee" | "category" | "category_group" | "account" => FieldType::Id,
        "date" => FieldType::Date,
        "amount" => FieldType::Number,
        "cleared" | "reconciled" | "transfer" | "parent" => FieldType::Boolean,
        "saved" => FieldType::Saved,
        _ => return None,
    })
}

/// isValidOp(field, op).
pub fn is_valid_op(field: &str, op: &str) -> bool {
    let Some(ty) = field_type(field) else {
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
    let (shared, own) = ty.ops();
    shared.contains(&op)
        || own.contains(&op)
        || (matches!(field, "category" | "category_group") && op == "and")
}

/// Public -> stored names of transaction fields.
const INTERNAL: [(&str, &str); 7] = [
    ("is_parent", "isParent"),
    ("is_child", "isChild"),
    ("account", "acct"),
    ("imported_id", "financial_id"),
    ("imported_payee", "imported_description"),
    ("transfer_id", "transferred_id"),
    ("payee", "description"),
];

/// `internalFields[f] || f`.
pub fn to_internal(field: &str) -> &str {
    INTERNAL
        .iter()
        .find(|(public, _)| *public == field)
        .map_or(field, |(_, internal)| internal)
}

/// `publicFields[f] || f`. Upstream looks the name up in a plain object, so the names
/// of `Object.prototype`'s properties find functions, which name no field: they are
/// given as `""` here (no field, no type, equal to no name).
pub fn to_public(field: &str) -> &str {
    if is_object_prototype_property(field) {
        return "";
    }
    INTERNAL
        .iter()
        .find(|(_, internal)| *internal == field)
        .map_or(field, |(public, _)| public)
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

    #[test]
    fn ops_follow_field_info() {
        assert!(is_valid_op("account", "onBudget"));
        assert!(!is_valid_op("payee", "onBudget"));
        assert!(!is_valid_op("notes", "oneOf"));
        assert!(is_valid_op("notes", "hasTags"));
        assert!(!is_valid_op("imported_payee", "hasTags"));
        assert!(is_valid_op("category", "and"));
        assert!(!is_valid_op("payee", "and"));
        assert!(!is_valid_op("saved", "is"));
        assert!(!is_valid_op("amount", "isNot"));
        assert_eq!(to_internal("payee"), "description");
        assert_eq!(to_public("acct"), "account");
        assert_eq!(to_public("category"), "category");
        assert_eq!(to_public("description"), "payee");
        assert_eq!(to_public("toString"), "");
    }
}
