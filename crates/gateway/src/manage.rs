//! The token rules that the CLI, `/api-tokens` and the token page share: creating a
//! token for an owner, changing or revoking one, and the shape a token is shown in.

use std::sync::Arc;

use crate::error::{GatewayError, Result};
use crate::issue::{self, NewToken};
use crate::keys::GatewayKey;
use crate::registry::Entry;
use crate::sessions;
use crate::store::{blocking, Store, TokenRow};
use crate::upstream::{self, Failure, Upstream};

/// What a new token should be; `budgets` are sync ids (or cloud file ids) as the user
/// gave them.
pub struct CreateRequest {
    pub name: String,
    pub budgets: Vec<String>,
    /// Unix milliseconds; `None` never expires.
    pub expires_at: Option<i64>,
    pub read_only: bool,
}

/// Issues a token for `owner`, whose live `session` lists their budgets. The session
/// becomes the owner's stored one, so the new token (and every other of theirs) has
/// a working session. Returns the stored row and the token, to be shown once.
pub async fn create(
    upstream: &Upstream,
    store: Arc<Store>,
    key: GatewayKey,
    session: &str,
    owner: String,
    req: CreateRequest,
    now: i64,
) -> Result<(TokenRow, String)> {
    let name = issue::check_name(&req.name)?;
    if req.budgets.is_empty() {
        return Err(upstream::no_budget());
    }
    if req.expires_at.is_some_and(|at| at <= now) {
        return Err(GatewayError::invalid(
            "expires-at-in-past",
            "the expiry lies in the past",
        ));
    }
    let files = upstream
        .list_files(session)
        .await
        .map_err(Failure::into_error)?;
    let budgets = upstream::resolve_budgets(&files, &req.budgets)?;
    let (row, secret) = issue::issue(
        NewToken {
            name,
            budgets,
            read_only: req.read_only,
            expires_at: req.expires_at,
            owner,
        },
        now,
    )?;
    let session = session.to_string();
    let row = blocking(move || {
        sessions::save(&store, &key, &row.owner, &session, now)?;
        store.insert(&row)?;
        Ok(row)
    })
    .await?;
    Ok((row, secret))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Disable,
    Enable,
    Revoke,
}

impl Change {
    pub fn verb(self) -> &'static str {
        match self {
            Change::Disable => "disabled",
            Change::Enable => "enabled",
            Change::Revoke => "revoked",
        }
    }
}

/// Applies `what` to token `id`; with `owner`, only to a token of theirs (others are
/// reported as not found). Returns the row as it was before. Blocking.
pub fn change(store: &Store, id: &str, owner: Option<&str>, what: Change) -> Result<TokenRow> {
    let not_found = || GatewayError::TokenNotFound(id.to_string());
    let row = store
        .get(id)?
        .filter(|r| owner.is_none_or(|o| r.owner == o))
        .ok_or_else(not_found)?;
    let done = match what {
        Change::Disable => store.set_enabled(id, false)?,
        Change::Enable => store.set_enabled(id, true)?,
        Change::Revoke => store.delete(id)?,
    };
    if done {
        Ok(row)
    } else {
        Err(not_found())
    }
}

pub fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// The list shape of upstream's proposal, `{id, name, prefix, createdAt, lastUsedAt,
/// expiresAt, enabled, budgetIds}` (unix seconds), plus `readOnly`.
pub fn view(e: &Entry) -> serde_json::Value {
    let r = &e.row;
    serde_json::json!({
        "id": r.id,
        "name": r.name,
        "prefix": r.prefix,
        "createdAt": secs(r.created_at),
        "lastUsedAt": e.last_used_at().map(secs),
        "expiresAt": r.expires_at.map(secs),
        "enabled": r.enabled,
        "budgetIds": r.budgets,
        "readOnly": r.read_only,
    })
}

/// The creation reply: the token, shown this once, and the new row.
pub fn created_view(row: &TokenRow, secret: &str) -> serde_json::Value {
    serde_json::json!({
        "id": row.id,
        "token": secret,
        "prefix": row.prefix,
        "name": row.name,
        "budgetIds": row.budgets,
        "createdAt": secs(row.created_at),
        "expiresAt": row.expires_at.map(secs),
        "readOnly": row.read_only,
    })
}
