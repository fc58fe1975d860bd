//! Whether a `set` action's Handlebars template passes upstream's check
//! (`server/rules/action.ts`: compiled, then run once on `{}`; a failure is an
//! `invalid-template` rule error). Handlebars is not ported: only templates made of
//! text and simple mustaches (`{{notes}}`, `{{regex notes pattern replacement}}`, every
//! argument a path) are known to pass; for anything else the answer is unknown.

/// The helpers `server/rules/handlebars-helpers.ts` registers. Called with arguments
/// that are all `undefined` (paths into `{}`), none of them throws.
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

/// Handlebars' own helpers and keywords, which a simple path must not name.
const BUILT_INS: &[&str] = &[
    "helperMissing",
    "blockHelperMissing",
    "each",
    "if",
    "unless",
    "with",
    "log",
    "lookup",
    "this",
    "else",
    "true",
    "false",
    "null",
    "undefined",
];

fn is_path(word: &str) -> bool {
    !word.is_empty()
        && word.split('.').all(|seg| {
            let mut chars = seg.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

fn simple_mustache(inner: &str) -> bool {
    let words: Vec<&str> = inner.split_ascii_whitespace().collect();
    match words.split_first() {
        None => false,
        Some((first, [])) => {
            is_path(first)
                && !HELPERS.contains(first)
                && !BUILT_INS.contains(&first.split('.').next().unwrap_or(""))
        }
        Some((helper, args)) => {
            HELPERS.contains(helper)
                && args
                    .iter()
                    .all(|a| is_path(a) && !BUILT_INS.contains(&a.split('.').next().unwrap_or("")))
        }
    }
}

/// `Some(true)` when the template is known to pass, `None` when not decided here.
pub fn passes(template: &str) -> Option<bool> {
    if template.contains('\\') {
        return None;
    }
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        if rest[..open].contains("}}") {
            return None;
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        if !simple_mustache(&after[..close]) {
            return None;
        }
        rest = &after[close + 2..];
    }
    if rest.contains("}}") {
        return None;
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::passes;

    #[test]
    fn simple_templates_pass_and_others_are_undecided() {
        assert_eq!(passes("plain text"), Some(true));
        assert_eq!(passes("{{notes}} (via {{ imported_payee }})"), Some(true));
        assert_eq!(passes("{{regex notes a b}}"), Some(true));
        assert_eq!(passes("{{#if notes}}x{{/if}}"), None);
        assert_eq!(passes("{{regex notes \"(\" \"x\"}}"), None);
        assert_eq!(passes("{{notes"), None);
        assert_eq!(passes("{{add}}"), None);
        assert_eq!(passes("\\{{notes}}"), None);
        assert_eq!(passes("{{{notes}}}"), None);
    }
}
