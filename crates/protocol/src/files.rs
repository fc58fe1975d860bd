//! The server's replies about files and users, decoded once for client and gateway.

use crate::crypto::EncryptMeta;
use serde::{Deserialize, Serialize};

/// One entry of `/sync/list-user-files`. The sync id a user sees is `group_id`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RemoteFile {
    #[serde(default, deserialize_with = "zero_or_one")]
    pub deleted: bool,
    pub file_id: String,
    pub group_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub encrypt_key_id: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub users_with_access: Option<serde_json::Value>,
}

/// The server stores `deleted` as 0/1 and older servers send booleans.
fn zero_or_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.as_f64().unwrap_or(0.0) != 0.0,
        _ => false,
    })
}

/// `/sync/get-user-file-info`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileInfo {
    pub file_id: String,
    pub group_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub encrypt_meta: Option<EncryptMeta>,
}

/// `/sync/user-get-key`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserKey {
    pub id: Option<String>,
    pub salt: String,
    pub test: Option<String>,
}

/// `/account/validate`.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub permission: Option<String>,
    #[serde(default)]
    pub login_method: Option<String>,
    /// What an API token may do, as actual-token-gateway adds it to this answer.
    #[serde(default)]
    pub api_token: Option<TokenScope>,
}

/// An API token's scope, from actual-token-gateway's `/account/validate`.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TokenScope {
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub budgets: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_listing() {
        let raw = r#"[{"deleted":0,"fileId":"f1","groupId":"g1","name":"B","encryptKeyId":null,"owner":"u","usersWithAccess":[]},
                      {"deleted":true,"fileId":"f2","groupId":null,"name":"C"}]"#;
        let files: Vec<RemoteFile> = serde_json::from_str(raw).unwrap();
        assert!(!files[0].deleted);
        assert!(files[1].deleted);
        assert_eq!(files[0].group_id.as_deref(), Some("g1"));
    }
}
